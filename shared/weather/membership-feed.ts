import type { EventEmitter } from 'node:events';

type Listener = (change: unknown) => void;

const relays = new WeakMap<EventEmitter, Set<Listener>>();

/**
 * Membership `change` events for the open event streams through one listener per node, so
 * many open pages do not trip EventEmitter's leak warning (10 listeners).
 */
export function onMembershipChange(membership: EventEmitter, listener: Listener): () => void {
  let listeners = relays.get(membership);
  if (!listeners) {
    const set = new Set<Listener>();
    listeners = set;
    relays.set(membership, set);
    membership.on('change', (change: unknown) => set.forEach((l) => l(change)));
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}
