/**
 * Environment variables the blob drivers read besides `storage_driver_url` (the standard ones of
 * each cloud SDK). Deployment files are checked against this list and CONFIG_SPEC.
 */
export const BLOB_ENV = {
  s3: [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_PROFILE',
  ],
  azblob: [
    'AZURE_STORAGE_CONNECTION_STRING',
    'AZURE_STORAGE_ACCOUNT',
    'AZURE_STORAGE_KEY',
    'AZURE_STORAGE_DOMAIN',
    'AZURE_CLIENT_ID',
    'AZURE_CLIENT_SECRET',
    'AZURE_TENANT_ID',
  ],
  gcs: ['GOOGLE_APPLICATION_CREDENTIALS', 'STORAGE_EMULATOR_HOST'],
} as const;

export const BLOB_ENV_NAMES: readonly string[] = Object.values(BLOB_ENV).flat();
