import { JetStreamApiError, JetStreamError } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  PermissionViolationError,
  RequestError,
  TimeoutError,
} from '@nats-io/transport-node';
import { isStorageError, StorageError } from '../errors';

/**
 * What a NATS error means for the caller (issue 15): `unavailable` — JetStream did not answer
 * (a request timed out during a leader election, no responders while a server restarts,
 * a 503 from the API, the connection is reconnecting); trying again shortly may succeed.
 * `full` — a stream or bucket reached its limit, or the server has no storage left; trying
 * again succeeds only once space returns. `null` — anything else (a bug, or bad input).
 */
export type NatsFault = 'unavailable' | 'full' | null;

/** JetStream API error codes (nats-server's errors.json) that mean "no room". */
const FULL_CODES = new Set([
  10023, // insufficient resources
  10028, // insufficient memory resources available
  10047, // insufficient storage resources available
]);
/** 10077 (JSStreamStoreFailedF) carries the store's own reason in its description. */
const FULL_DESCRIPTIONS =
  /maximum (bytes|messages|messages per subject) exceeded|no space left|insufficient (storage )?resources/i;
const UNAVAILABLE_CODES = new Set([
  10008, // JetStream system temporarily unavailable
  10074, // JetStream cluster not available / no leader
  10076, // JetStream not enabled
  10039, // JetStream not enabled for account
]);

export function natsFault(err: unknown): NatsFault {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as Error).cause, depth++) {
    const fault = ownFault(e);
    if (fault) return fault;
  }
  return null;
}

function ownFault(err: unknown): NatsFault {
  if (err instanceof JetStreamApiError) {
    if (FULL_CODES.has(err.code) || FULL_DESCRIPTIONS.test(err.message)) return 'full';
    if (UNAVAILABLE_CODES.has(err.code) || err.status === 503) return 'unavailable';
    return null;
  }
  if (
    err instanceof TimeoutError ||
    err instanceof NoRespondersError ||
    err instanceof ConnectionError ||
    err instanceof ClosedConnectionError ||
    err instanceof DrainingConnectionError ||
    (err instanceof Error && err.name === 'JetStreamNotEnabled')
  )
    return 'unavailable';
  if (err instanceof RequestError && err.isNoResponders()) return 'unavailable';
  // A status error on a pull (`503 no responders`, `408 request timeout`) or a publish ack.
  if (err instanceof JetStreamError && /\b(503|408)\b|no responders|timeout/i.test(err.message))
    return 'unavailable';
  if (err instanceof Error && FULL_DESCRIPTIONS.test(err.message) && /jetstream|stream|nats/i.test(err.name))
    return 'full';
  return null;
}

/**
 * True when the server refused the request's subject to this user. @nats-io 3.4 rejects a
 * JetStream API request at once with a RequestError whose cause is the PermissionViolationError
 * (measured against nats-server 2.9.10), not with a timeout.
 */
export function isPermissionViolation(err: unknown): boolean {
  return err instanceof PermissionViolationError || (err as Error)?.cause instanceof PermissionViolationError;
}

/**
 * The StorageError a NATS fault becomes at the edge (`NATS_UNAVAILABLE` 503, `JETSTREAM_FULL`
 * 507), or null when the error is not a NATS fault. `full` names what was full when known.
 */
export function natsFaultError(err: unknown, what?: string): StorageError | null {
  if (isStorageError(err)) return err;
  const fault = natsFault(err);
  if (!fault) return null;
  const reason = err instanceof Error ? err.message : String(err);
  const where = what ? `${what}: ` : '';
  return fault === 'full'
    ? new StorageError('JETSTREAM_FULL', `${where}JetStream has no room (${reason})`, { cause: err })
    : new StorageError('NATS_UNAVAILABLE', `${where}JetStream did not answer (${reason})`, { cause: err });
}
