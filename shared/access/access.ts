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
      return { policy: s.config.gatedVariants, rules: streamRules(s.config, s.membership), delist };
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
  (await pending?.catch(() => undefined))?.delist.stop();
}
