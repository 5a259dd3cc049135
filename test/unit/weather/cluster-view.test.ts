import { Ring } from '../../../shared/placement/mod';
import { collectViews, PEER_TIMEOUT_MS } from '../../../shared/weather/cluster-view';
import type { FetchJson } from '../../../shared/weather/fetch-json';
import { RingSummaryCache } from '../../../shared/weather/ring-summary';
import type { WeatherMember } from '../../../shared/weather/types';

const [A, B, C, D] = ['a', 'b', 'c', 'd'].map((c) => '0x' + c.repeat(40));
const member = (nodeId: string, healthy = true): WeatherMember => ({
  nodeId,
  host: `http://${nodeId.slice(2, 3)}:9924`,
  version: '0.1.0',
  capacity: 0,
  used: 0,
  weight: 1,
  lastOk: '2026-01-01T00:00:00.000Z',
  startedAt: '2026-01-01T00:00:00.000Z',
  shardCount: 0,
  ringFingerprint: '',
  jobsDone: 0,
  healthy,
  seenAt: 0,
});
const ringOf = (ids: string[]) =>
  new Ring(
    ids.map((id) => ({ id })),
    { shardLength: 1, replicationFactor: 2 },
  );

describe('collectViews: every healthy node’s own view, asked over HTTP', () => {
  const members = [member(A), member(B), member(C), member(D, false)];
  const all = ringOf([A, B, C]);
  const partial = ringOf([A, C]);

  /** What each peer answers: B sees everyone; C has not seen B yet. */
  function peers(overrides: Record<string, unknown> = {}) {
    const calls: string[] = [];
    const answers: Record<string, unknown> = {
      'http://b:9924/storage/nodes': { self: B, ringFingerprint: all.fingerprint(), nodes: members },
      'http://b:9924/storage/ring': all.toCompact(),
      'http://c:9924/storage/nodes': {
        self: C,
        ringFingerprint: partial.fingerprint(),
        nodes: [member(A), member(B, false), member(C)],
      },
      'http://c:9924/storage/ring': partial.toCompact(),
      ...overrides,
    };
    const fetch: FetchJson = async (url, timeoutMs) => {
      calls.push(`${url} ${timeoutMs}`);
      const answer = answers[url];
      if (answer instanceof Error) throw answer;
      if (answer === undefined) throw new Error(`unexpected ${url}`);
      return answer;
    };
    return { fetch, calls };
  }
  const local = { self: A, members, fingerprint: all.fingerprint(), compact: () => all.toCompact() };

  test('this node’s view from memory, each other healthy node’s from its own answer; unhealthy nodes are not asked', async () => {
    const { fetch, calls } = peers();
    const views = await collectViews(local, new RingSummaryCache(), fetch);
    expect(
      views.map((v) => [v.nodeId, v.reachable, v.ringFingerprint, v.healthy, v.ring?.fingerprint]),
    ).toEqual([
      [A, true, all.fingerprint(), [A, B, C], all.fingerprint()],
      [B, true, all.fingerprint(), [A, B, C], all.fingerprint()],
      [C, true, partial.fingerprint(), [A, C], partial.fingerprint()],
    ]);
    expect(calls.sort()).toEqual([
      `http://b:9924/storage/nodes ${PEER_TIMEOUT_MS.nodes}`,
      `http://c:9924/storage/nodes ${PEER_TIMEOUT_MS.nodes}`,
      `http://c:9924/storage/ring ${PEER_TIMEOUT_MS.ring}`,
    ]);
  });

  test('a ring already sketched (same fingerprint) is not fetched again', async () => {
    const cache = new RingSummaryCache();
    await collectViews(local, cache, peers().fetch);
    const { fetch, calls } = peers();
    await collectViews(local, cache, fetch);
    expect(calls.filter((c) => c.includes('/ring'))).toEqual([]);
  });

  test('a peer that does not answer, or answers as someone else, is unreachable with the reason', async () => {
    const timeout = Object.assign(new Error('aborted'), { name: 'TimeoutError' });
    const { fetch } = peers({
      'http://b:9924/storage/nodes': timeout,
      'http://c:9924/storage/nodes': { self: D, ringFingerprint: 'x', nodes: [] },
    });
    const views = await collectViews(local, new RingSummaryCache(), fetch);
    expect(views.slice(1)).toEqual([
      { nodeId: B, host: 'http://b:9924', reachable: false, error: 'timed out' },
      { nodeId: C, host: 'http://c:9924', reachable: false, error: `its host answered as ${D}` },
    ]);
  });

  test('a ring that cannot be fetched or is invalid leaves the view without a sketch, and says why', async () => {
    const { fetch } = peers({
      'http://c:9924/storage/ring': { ...partial.toCompact(), fingerprint: '0'.repeat(64) },
    });
    const views = await collectViews(local, new RingSummaryCache(), fetch);
    expect(views[2]).toEqual({
      nodeId: C,
      host: 'http://c:9924',
      reachable: true,
      ringFingerprint: partial.fingerprint(),
      healthy: [A, C],
      error: 'ring: compact ring: fingerprint does not match the table',
    });
  });
});
