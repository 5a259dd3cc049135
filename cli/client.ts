import { CliError, EXIT } from './exit-codes';

/** How long one API call may take before the node counts as unreachable. */
export const REQUEST_TIMEOUT_MS = 10_000;

export interface RequestOptions extends Omit<RequestInit, 'signal'> {
  timeoutMs?: number;
  /** Cancels the request (Ctrl-C); combined with the timeout. */
  signal?: AbortSignal;
  /** Statuses answered as they are instead of thrown (e.g. 503 from /health). */
  accept?: number[];
}

/**
 * The node's HTTP API (README "HTTP API") as the CLI uses it: every route under
 * `<base>/storage`, errors turned into one-line CliErrors — unreachable (exit 3) or the
 * node's own `{code, message}` (exit 4).
 */
export class NodeClient {
  constructor(readonly base: string) {}

  /** A client for another member, by the `host` its membership record publishes. */
  static of(host: string): NodeClient {
    return new NodeClient(host.replace(/\/+$/, ''));
  }

  url(path: string): string {
    return `${this.base}/storage${path}`;
  }

  async request(path: string, options: RequestOptions = {}): Promise<Response> {
    const { timeoutMs = REQUEST_TIMEOUT_MS, signal, accept = [], ...init } = options;
    const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
    let res: Response;
    try {
      res = await fetch(this.url(path), { ...init, signal: AbortSignal.any(signals) });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new CliError(EXIT.unreachable, `node ${this.base} is unreachable: ${networkReason(err)}`, {
        cause: err,
      });
    }
    if (res.ok || accept.includes(res.status)) return res;
    throw await refusal(res, path);
  }

  async json<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.request(path, options);
    try {
      return (await res.json()) as T;
    } catch (err) {
      throw new CliError(EXIT.refused, `${this.url(path)} did not answer JSON (${res.status})`, {
        cause: err,
      });
    }
  }
}

/** The node's error body (`{statusCode, code, error, message}`) as one line. */
async function refusal(res: Response, path: string): Promise<CliError> {
  const text = await res.text().catch(() => '');
  let body: { code?: unknown; message?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Not one of ours (a proxy's page): say the status.
  }
  const what =
    typeof body.code === 'string' ? `${body.code}: ${String(body.message ?? '')}` : text.slice(0, 120);
  return new CliError(EXIT.refused, `${path} answered ${res.status} ${what}`.trim());
}

/** "ECONNREFUSED", "timed out", "ENOTFOUND": what a person can act on, not a stack. */
export function networkReason(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  if (e?.cause?.code) return e.cause.code;
  return e?.cause?.message ?? e?.message ?? String(err);
}
