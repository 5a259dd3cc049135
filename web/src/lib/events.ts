export type LiveState = 'live' | 'connecting' | 'offline';

export interface LiveHandlers {
  job?: (job: unknown) => void;
  membership?: (change: unknown) => void;
  /** Each (re)connection: reload what may have changed while the stream was down. */
  open?: () => void;
  state?: (state: LiveState) => void;
}

/**
 * The node's server-sent events (`GET /storage/events`). The browser reconnects by itself
 * after the `retry:` the server sets; without EventSource the pages fall back to polling.
 */
export function connectEvents(handlers: LiveHandlers): void {
  if (typeof EventSource === 'undefined') {
    handlers.state?.('offline');
    return;
  }
  const source = new EventSource('/storage/events');
  handlers.state?.('connecting');
  source.addEventListener('hello', () => {
    handlers.state?.('live');
    handlers.open?.();
  });
  source.addEventListener('job', (e) => handlers.job?.(JSON.parse((e as MessageEvent<string>).data)));
  source.addEventListener('membership', (e) =>
    handlers.membership?.(JSON.parse((e as MessageEvent<string>).data)),
  );
  source.addEventListener('problem', () => handlers.state?.('offline'));
  source.onerror = () =>
    handlers.state?.(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
  addEventListener('pagehide', () => source.close());
}

/** Shows the stream's state in the page header. */
export function showLiveState(el: HTMLElement, state: LiveState): void {
  el.dataset.state = state;
  el.textContent = state === 'live' ? 'live' : state === 'connecting' ? 'connecting…' : 'polling';
  el.title =
    state === 'live'
      ? 'Updates arrive as they happen (server-sent events)'
      : state === 'connecting'
        ? 'Reconnecting to the node'
        : 'Live updates are unavailable: the page polls';
}
