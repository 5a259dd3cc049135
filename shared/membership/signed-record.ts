import { canonicalize } from '../access/jcs';
import { recoverPersonalSigner, signPersonalMessage } from '../access/eth-signature';
import type { Identity } from '../identity/wallet';
import { hostUrlProblem } from './host-url';
import type { NodeRecord } from './types';

/**
 * Membership records are signed by their node's delegate key (issue 15): anyone who can
 * publish to KV `nodes` could otherwise take every shard with a huge weight, mark other
 * nodes as leaving, or plant a `host` that peers redirect clients to and fetch from.
 *
 * The signature covers the canonical JSON (RFC 8785, ../access/jcs.ts) of the *whole* record
 * except `signature` itself, so fields added later (placement weights, draining, …) are
 * covered without touching this file. It is an EIP-191 personal signature, as every other
 * signature of a node's key (../access/eth-signature.ts).
 */

/** Larger records are refused unread: a real one is a few hundred bytes. */
export const MAX_RECORD_BYTES = 64 * 1024;

const DOMAIN = 'storage-v2 node record\n';

export type SignedRecord = NodeRecord & { signature: string };

/** Why a record was ignored: the label of `storage_membership_records_rejected_total`. */
export type RecordRejection =
  'too_large' | 'malformed' | 'unsigned' | 'bad_signature' | 'wrong_key' | 'bad_host' | 'stale';

/** The exact text the node signs: the domain line, then the record's canonical JSON. */
function recordMessage(fields: Record<string, unknown>): string {
  return DOMAIN + canonicalize(fields);
}

/** The KV value of `record`, signed by `identity` (whose address must be `record.nodeId`). */
export function signRecord(identity: Identity, record: NodeRecord): string {
  // Through JSON first: an `undefined` field is dropped here exactly as it is on the wire.
  const fields = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
  delete fields.signature;
  const signature = signPersonalMessage(identity.privateKey, recordMessage(fields));
  return JSON.stringify({ ...fields, signature });
}

export interface RecordCheck {
  /** The KV key the record was found under: it must be the signer's address. */
  key: string;
  /** ms since epoch the NATS server stored the entry. */
  serverTimeMs: number;
  /** How far the signed `lastOk` may be from the server's time (the node signature window). */
  windowMs: number;
  /** `lastOk` of the last record taken from this node: a replay of an older one is refused. */
  previousLastOkMs?: number;
}

/**
 * The record in `value` if it is signed by the node it names and fresh; otherwise why not.
 * Freshness: the signed `lastOk` lies within the window of the server's time and is later
 * than the last one taken, so a captured record replayed later (to keep a dead node in the
 * ring, or to undo a change) is refused.
 */
export function verifyRecord(
  value: Uint8Array | string,
  check: RecordCheck,
): { record: NodeRecord } | { rejected: RecordRejection; detail: string } {
  const size = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  if (size > MAX_RECORD_BYTES)
    return { rejected: 'too_large', detail: `${size} bytes (limit ${MAX_RECORD_BYTES})` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : Buffer.from(value).toString('utf8'));
  } catch {
    return { rejected: 'malformed', detail: 'not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { rejected: 'malformed', detail: 'not a JSON object' };
  const { signature, ...fields } = parsed as Record<string, unknown>;
  if (typeof signature !== 'string') return { rejected: 'unsigned', detail: 'no signature' };
  let signer: string;
  try {
    signer = recoverPersonalSigner(recordMessage(fields), signature);
  } catch (err) {
    return { rejected: 'bad_signature', detail: (err as Error).message };
  }
  if (signer !== check.key.toLowerCase() || fields.nodeId !== check.key)
    return { rejected: 'wrong_key', detail: `signed by ${signer} for key ${check.key}` };
  const record = fields as unknown as NodeRecord;
  const hostProblem = hostUrlProblem(record.host);
  if (hostProblem) return { rejected: 'bad_host', detail: `host ${hostProblem}` };
  const lastOk = Date.parse(String(record.lastOk));
  if (!Number.isFinite(lastOk) || Math.abs(lastOk - check.serverTimeMs) > check.windowMs)
    return { rejected: 'stale', detail: `lastOk ${String(record.lastOk)} is outside the window` };
  if (check.previousLastOkMs !== undefined && lastOk <= check.previousLastOkMs)
    return { rejected: 'stale', detail: `lastOk ${record.lastOk} is not after the last record taken` };
  return { record };
}
