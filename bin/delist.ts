#!/usr/bin/env node
/**
 * `npm run delist -- <fileName|jobId> [--reason <text>] [--relist]`, `npm run delist -- --list`:
 * the operator's takedown script (issue 11). It writes the delist bucket directly over NATS
 * (NATS_SERVER_URL), so it needs NATS access, not a wallet; every node refuses the name within
 * seconds. `POST /storage/delist` is the signed-request way for operators without NATS access.
 */
import { addToDelist, isTakenDown, removeFromDelist, type StoredDelistRecord } from '../shared/access/delist';
import { loadConfig } from '../shared/config';
import { describeError } from '../shared/errors';
import { BUCKETS } from '../shared/nats/names';
import { connectNats, DEFAULT_NATS_TIMINGS } from '../shared/nats/connection';

async function main(args: string[]): Promise<void> {
  const config = loadConfig();
  const nats = await connectNats(
    config.natsUrl,
    'delist script',
    config.natsReplicas,
    DEFAULT_NATS_TIMINGS,
    config.natsAuth,
  );
  try {
    const kv = await nats.kvm.open(BUCKETS.delist);
    if (args.includes('--list')) {
      // Relisted names keep a tombstone (shared/access/delist.ts): they are not taken down.
      for await (const key of await kv.keys()) {
        const entry = await kv.get(key);
        if (entry?.operation !== 'PUT') continue;
        const record = entry.json<StoredDelistRecord>();
        if (isTakenDown(record)) console.log(JSON.stringify(record));
      }
      return;
    }
    const name = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--reason');
    if (!name)
      throw new Error('usage: npm run delist -- <fileName|jobId> [--reason <text>] [--relist] | --list');
    if (args.includes('--relist')) {
      await removeFromDelist(kv, name);
      console.log(`relisted ${name}`);
    } else {
      const i = args.indexOf('--reason');
      const reason = i >= 0 ? (args[i + 1] ?? '') : '';
      await addToDelist(kv, { name, reason, by: 'cli', at: new Date().toISOString() });
      console.log(`delisted ${name}: every node answers 403 for it within seconds`);
    }
  } finally {
    await nats.nc.close();
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(describeError(err));
  process.exit(1);
});
