import { ArchiverError } from './errors';

/**
 * The seed's container form (`docker run audius/storage-archiver -e MODE=BACKUP -e <credentials>
 * -e BUCKET_NAME=…`): with no command on the command line, MODE picks it. The archive is
 * ARCHIVE_URL, or BUCKET_NAME in the cloud whose standard credentials are set.
 */
export const MODES = ['backup', 'restore', 'verify', 'list', 'snapshots', 'prune'] as const;

export function argvFromEnv(argv: string[], env: NodeJS.ProcessEnv): string[] {
  const hasCommand = argv.some((a) => !a.startsWith('-'));
  if (hasCommand || !env.MODE) return argv;
  const mode = env.MODE.trim().toLowerCase();
  if (!(MODES as readonly string[]).includes(mode))
    throw new ArchiverError('usage', `MODE=${env.MODE}: expected BACKUP, RESTORE, VERIFY, LIST or PRUNE`);
  return [mode, ...argv];
}

/** ARCHIVE_URL as given, else a bucket URL built from BUCKET_NAME and the credentials present. */
export function archiveUrlFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  if (env.ARCHIVE_URL) return env.ARCHIVE_URL;
  const bucket = env.BUCKET_NAME?.trim();
  if (!bucket) return undefined;
  const clouds = [
    env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE ? 's3' : '',
    env.AZURE_STORAGE_CONNECTION_STRING || env.AZURE_STORAGE_ACCOUNT ? 'azblob' : '',
    env.GOOGLE_APPLICATION_CREDENTIALS ? 'gcs' : '',
  ].filter(Boolean);
  if (clouds.length !== 1)
    throw new ArchiverError(
      'usage',
      clouds.length === 0
        ? `BUCKET_NAME=${bucket}: no cloud credentials in the environment (AWS_ACCESS_KEY_ID…, AZURE_STORAGE_CONNECTION_STRING or GOOGLE_APPLICATION_CREDENTIALS); or set ARCHIVE_URL`
        : `BUCKET_NAME=${bucket}: credentials of ${clouds.join(' and ')} are set; set ARCHIVE_URL=<scheme>://${bucket} to say which`,
    );
  const prefix = env.BUCKET_PREFIX ? `/${env.BUCKET_PREFIX.replace(/^\/+/, '')}` : '';
  return `${clouds[0]}://${bucket}${prefix}`;
}
