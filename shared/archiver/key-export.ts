import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import { ArchiverError } from './errors';

/**
 * The node's delegate key in a snapshot, only when asked for and only sealed with a passphrase.
 * KDF and AEAD are node:crypto's scrypt and AES-256-GCM (OpenSSL underneath: maintained, audited,
 * no new dependency). scrypt is memory-hard (restic seals its keys with it too); the parameters
 * are OWASP's recommendation (N = 2^17, r = 8, p = 1: 128 MiB, about half a second) and are
 * stored beside the ciphertext, so stronger ones later still open old exports. The node's
 * address is the associated data: a sealed key cannot be passed off as another node's.
 */
export interface EncryptedKey {
  kdf: 'scrypt';
  n: number;
  r: number;
  p: number;
  /** base64 */
  salt: string;
  cipher: 'aes-256-gcm';
  /** base64, 12 bytes */
  iv: string;
  /** base64 */
  ciphertext: string;
  /** base64, 16 bytes */
  tag: string;
  /** The node id (address) the key belongs to, in the clear. */
  address: string;
}

const PARAMS = { n: 2 ** 17, r: 8, p: 1 };
const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

async function deriveKey(passphrase: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return scryptAsync(passphrase, salt, 32, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 });
}

export async function sealKey(
  privateKeyHex: string,
  address: string,
  passphrase: string,
): Promise<EncryptedKey> {
  if (!passphrase)
    throw new ArchiverError(
      'usage',
      'exporting the delegate key needs a passphrase (ARCHIVER_PASSPHRASE or --passphrase-file)',
    );
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(passphrase, salt, PARAMS.n, PARAMS.r, PARAMS.p);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(address));
  const ciphertext = Buffer.concat([cipher.update(privateKeyHex, 'utf8'), cipher.final()]);
  return {
    kdf: 'scrypt',
    ...PARAMS,
    salt: salt.toString('base64'),
    cipher: 'aes-256-gcm',
    iv: iv.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    address,
  };
}

/** The key's hex; a wrong passphrase (or a tampered export) fails the GCM tag: exit 6. */
export async function openKey(sealed: EncryptedKey, passphrase: string): Promise<string> {
  if (!passphrase)
    throw new ArchiverError(
      'usage',
      'restoring the delegate key needs its passphrase (ARCHIVER_PASSPHRASE or --passphrase-file)',
    );
  if (sealed.kdf !== 'scrypt' || sealed.cipher !== 'aes-256-gcm' || !(sealed.n <= 2 ** 20))
    throw new ArchiverError(
      'badArchive',
      `the exported key uses ${sealed.kdf}/${sealed.cipher}, which this archiver does not read`,
    );
  const key = await deriveKey(passphrase, Buffer.from(sealed.salt, 'base64'), sealed.n, sealed.r, sealed.p);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(sealed.address));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  try {
    return Buffer.concat([
      decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new ArchiverError(
      'wrongPassphrase',
      `wrong passphrase: it does not open the delegate key of ${sealed.address}`,
    );
  }
}
