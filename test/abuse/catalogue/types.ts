import type { RecordRejection } from '../../../shared/membership/signed-record';

/** What the runner hands every case: the node under test and a place for generated media. */
export interface AbuseContext {
  /** Base URL of the node (`http://127.0.0.1:<port>`). */
  url: string;
  natsUrls: string[];
  /** A temp dir of the run's own, for media generated at test time. */
  dir: string;
  /** A good upload the node holds, for reads (absurd ranges) and the client API. */
  stored: { jobId: string; fileName: string; size: number; cid: string };
}

/** How the node answered one request: status and the `code` of its JSON body (null when there is none). */
export interface Answer {
  status: number;
  code: string | null;
  /** The parsed body, when it was JSON. */
  body?: unknown;
}

/**
 * The outcome a case must have, exactly:
 * - `refused`: this status and code, no new job, no new temp object (issue 15);
 * - `served`: a read answered with this status (206, 302 …), nothing written;
 * - `job`: the upload is taken (200) and its job ends so: `error` with a reason and no result
 *   stored, or `done` (what the file really holds was transcoded);
 * - `ignored`: a peer's record never enters this node's view, counted under this reason.
 */
export type Expected =
  | { refused: { status: number; code: string | null } }
  | { served: { status: number } }
  | { job: 'error' | 'done' }
  | { ignored: RecordRejection };

export interface AbuseCase {
  name: string;
  /** Sends the hostile request (or does the hostile act) and reports the node's answer. */
  act(ctx: AbuseContext): Promise<Answer>;
  expected: Expected;
}

export const refused = (status: number, code: string | null): Expected => ({ refused: { status, code } });
export const served = (status: number): Expected => ({ served: { status } });
