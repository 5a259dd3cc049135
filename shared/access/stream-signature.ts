import { parseFileName } from '../placement/keys';
import { refuse, signEnvelope, verifyEnvelope } from './signed-envelope';

/**
 * Signed stream URLs (issue 11, DESIGN §7): `?signature=` whose `data` names the file
 * (`fileName`, or `cid` as mediorum's data does) with a recent `timestamp`, signed by an
 * allowed signer. Checks, in this order: the envelope and its time window, the name, an
 * `upload_id` if present (mediorum checks it too), then the signer.
 */
export interface StreamSignatureRules {
  /** Whether a recovered (lower-case) address may sign stream URLs. */
  isAllowedSigner(address: string): boolean;
  windowMs: number;
  skewMs: number;
}

/** The signer of a valid stream signature for `name`; throws a StorageError naming the failed check. */
export function verifyStreamSignature(
  raw: unknown,
  name: string,
  rules: StreamSignatureRules,
  now = Date.now(),
  /** The upload `name` belongs to, when the name does not say (a CID: /tracks/cidstream). */
  uploadId = parseFileName(name)?.id ?? name,
): string {
  const { signer, data } = verifyEnvelope(raw, rules.windowMs, rules.skewMs, now);
  const named = data.fileName ?? data.cid;
  if (typeof named !== 'string' || named === '')
    throw refuse('SIGNATURE_MISSING_NAME', 'signature data names no file (fileName or cid)');
  if (named !== name) throw refuse('SIGNATURE_NAME_MISMATCH', `signature is not for ${name}`);
  if (data.upload_id !== undefined && data.upload_id !== uploadId)
    throw refuse('SIGNATURE_UPLOAD_ID_MISMATCH', `signature is for another upload than ${name}`);
  if (!rules.isAllowedSigner(signer))
    throw refuse('SIGNATURE_SIGNER_NOT_ALLOWED', 'signature is not from an allowed signer');
  return signer;
}

/** A `?signature=` value for streaming `fileName` (the sign-url script, tests, benchmarks). */
export function signStreamUrl(privateKey: Uint8Array, fileName: string, now = Date.now()): string {
  return signEnvelope(privateKey, { fileName, timestamp: now });
}
