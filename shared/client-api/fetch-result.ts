import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { describeError, StorageError } from '../errors';
import { longTermKey } from '../jobs/keys';
import type { JobResult } from '../jobs/types';
import { PeerClient, peerOf } from '../repair/peer-client';
import type { Services } from '../runtime/services';
import { hashFile } from '../transcode/scratch';

/**
 * Copies a stored result to `dest`: from this node's store, else from a healthy holder over
 * the signed node-to-node route repair uses; the copy's sha256 is checked either way.
 */
export async function fetchResult(s: Services, result: JobResult, dest: string, signal: AbortSignal) {
  const sources: (() => Promise<NodeJS.ReadableStream | null>)[] = [
    async () =>
      (await s.blob.get(longTermKey(s.config.namespace, s.config.shardLength, result.name)))?.body ?? null,
  ];
  const client = new PeerClient(s.identity, s.config.peerTimeoutSeconds * 1000);
  for (const nodeId of result.nodes) {
    const member = s.membership.get(nodeId);
    if (member?.healthy && nodeId !== s.identity.address)
      sources.push(() => client.openBlob(peerOf(member), result.name, signal));
  }
  let lastError: unknown;
  for (const open of sources) {
    try {
      const body = await open();
      if (!body) continue;
      await pipeline(body, fs.createWriteStream(dest), { signal });
      if ((await hashFile(dest)).sha256 === result.sha256) return;
      lastError = new StorageError('DIGEST_MISMATCH', `a copy of ${result.name} does not match its sha256`);
    } catch (err) {
      lastError = err;
    }
  }
  throw new StorageError(
    'STORAGE_UNAVAILABLE',
    `no readable copy of ${result.name}: ${describeError(lastError)}`,
  );
}
