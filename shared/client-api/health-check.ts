import { signEnvelope } from '../access/signed-envelope';
import { healthReport } from '../health';
import { transcodeStats } from '../jobs/transcode-stats';
import type { Services } from '../runtime/services';

/**
 * mediorum's `GET /health_check` (reference/mediorum.md §8) with the fields clients read:
 * the Audius SDK's StorageNodeSelector keeps a node when this answers 200 with
 * `data.diskHasSpace` true and `data.transcodeStats.AvgTranscodeTime` ≤ 180 — both measured
 * here (the store probe: writable, and free disk of the node's local directories above
 * AUDIUS_MIN_FREE_DISK_MB; audio transcodes this node ran). Signed
 * with the delegate key as mediorum signs it: `signature` over the JCS form of `data`.
 */
export async function healthCheck(s: Services): Promise<{ status: number; body: unknown }> {
  const report = healthReport(s);
  // The store probe's numbers (shared/store-health/): the truth placement and /storage/health use.
  const store = report.store;
  const members = s.membership.list();
  const data = {
    healthy: report.healthy,
    version: report.version,
    service: 'content-node',
    startedAt: new Date(s.startedAt).toISOString(),
    self: { host: s.config.host, wallet: s.identity.address },
    wallet_is_registered: s.membership.get(s.identity.address)?.healthy === true,
    isSeeding: false,
    replicationFactor: s.config.replicationFactor,
    storeAll: false,
    blobStorePrefix: s.blob.scheme,
    diskHasSpace: store.ok,
    mediorumPathFree: store.freeBytes ?? 0,
    transcodeQueueLength: 0,
    transcodeStats: transcodeStats(),
    peerHealths: Object.fromEntries(members.map((m) => [m.host, { healthy: m.healthy }])),
    signers: s.config.streamSigners,
  };
  const timestamp = Date.now();
  const signed = JSON.parse(signEnvelope(s.identity.privateKey, { ...data, timestamp })) as {
    signature: string;
  };
  return {
    status: report.healthy ? 200 : 503,
    body: { data, signer: s.identity.address, signature: signed.signature, timestamp },
  };
}
