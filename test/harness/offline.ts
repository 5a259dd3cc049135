/** serverless-offline as a child process (shared/local/offline-process.ts, also used by bench/). */
export * from '../../shared/local/offline-process';
