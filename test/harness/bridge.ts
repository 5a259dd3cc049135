/** The Lambda bridge as a child process (shared/local/bridge-process.ts, also used by bench/). */
export * from '../../shared/local/bridge-process';
