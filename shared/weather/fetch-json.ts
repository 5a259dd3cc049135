import { readBoundedJson } from '../http/bounded-body';

/**
 * GETs a peer's JSON with a deadline covering the body too; rejects on a non-2xx answer, a
 * timeout, bad JSON or a body past MAX_PEER_JSON_BYTES.
 */
export type FetchJson = (url: string, timeoutMs: number) => Promise<unknown>;

export const fetchJson: FetchJson = async (url, timeoutMs) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`${url} answered ${res.status}`);
  }
  return readBoundedJson(res, url);
};

/** A short reason for the page: "timed out" rather than a stack. */
export function reasonOf(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  if (e?.cause?.code) return `${e.cause.code}`;
  return e?.message ?? String(err);
}
