import { randomBytes } from 'node:crypto';

let counter = randomBytes(2).readUInt16BE(0);

/**
 * A 25-character lower-case base36 id in the cuid layout of the original README
 * (`cle4h8b1g000101q8l4tz2mkx`): `c`, time (8), counter (4), random (12). Time first makes
 * ids sort by creation, which the job list relies on; the random tail spreads shards.
 */
export function newId(now = Date.now()): string {
  counter = (counter + 1) % 36 ** 4;
  const time = now.toString(36).padStart(8, '0').slice(-8);
  const count = counter.toString(36).padStart(4, '0');
  let random = '';
  while (random.length < 12) random += randomBytes(8).readBigUInt64BE().toString(36);
  return `c${time}${count}${random.slice(0, 12)}`;
}
