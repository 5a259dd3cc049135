import { StorageError } from '../errors';

/** Who may upload (issue 11): anyone; any wallet that signs; only listed wallets. */
export const UPLOAD_MODES = ['open', 'signed', 'allowlist'] as const;
export type UploadMode = (typeof UPLOAD_MODES)[number];

export function uploadMode(text: string): UploadMode {
  if ((UPLOAD_MODES as readonly string[]).includes(text)) return text as UploadMode;
  throw new StorageError('BAD_CONFIG', `AUDIUS_UPLOAD_MODE=${text}: expected open, signed or allowlist`);
}
