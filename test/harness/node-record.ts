import { publicKeyHex, type Identity } from '../../shared/identity/wallet';
import type { NodeRecord } from '../../shared/membership/types';

/** A fresh heartbeat record of `id` (unsigned: sign it with signRecord before a put). */
export function testNodeRecord(id: Identity, port = 9000): NodeRecord {
  return {
    nodeId: id.address,
    publicKey: publicKeyHex(id),
    host: `http://127.0.0.1:${port}`,
    version: 'test',
    capacity: 0,
    used: 0,
    weight: 1,
    lastOk: new Date().toISOString(),
    startedAt: new Date().toISOString(),
    shardCount: 0,
    ringFingerprint: '',
    jobsDone: 0,
  };
}
