import { BUCKETS } from '../nats/names';
import type { Services } from '../runtime/services';
import { DelistSet } from './delist';
import type { ReadPolicy } from './policy';
import { streamRules } from './signers';
import type { StreamSignatureRules } from './stream-signature';

/** What the read and upload guards consult on a node (issue 11). */
export interface Access {
  policy: ReadPolicy;
  rules: StreamSignatureRules;
  delist: DelistSet;
}

const byServices = new WeakMap<Services, Promise<Access>>();
/** The same, once made: /storage/health reads it without waiting. */
const ready = new WeakMap<Services, Access>();

/** The node's access state if it has been made (null before the first request of a Lambda). */
export function accessIfReady(s: Services): Access | null {
  return ready.get(s) ?? null;
}

/**
 * The node's access state, made once per Services: the runtime warms it at start (so the
 * delist set is followed from then on); a Lambda makes it on its first request.
 */
export function access(s: Services): Promise<Access> {
  let pending = byServices.get(s);
  if (!pending) {
    pending = (async () => {
      const kv = await s.nats.kvm.open(BUCKETS.delist);
      const delist = new DelistSet(kv, s.log, () => !s.nats.nc.isClosed());
      await delist.start();
      const made = { policy: s.config.gatedVariants, rules: streamRules(s.config, s.membership), delist };
      ready.set(s, made);
      return made;
    })();
    pending.catch(() => byServices.delete(s));
    byServices.set(s, pending);
  }
  return pending;
}

/** Stops following the delist bucket (the node is shutting down). */
export async function stopAccess(s: Services): Promise<void> {
  const pending = byServices.get(s);
  byServices.delete(s);
  ready.delete(s);
  (await pending?.catch(() => undefined))?.delist.stop();
}
