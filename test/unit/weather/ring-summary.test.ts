import { Ring, shardAt } from '../../../shared/placement/mod';
import { RING_SAMPLES, RingSummaryCache, summarizeRing } from '../../../shared/weather/ring-summary';

const ids = ['0x' + 'a'.repeat(40), '0x' + 'b'.repeat(40), '0x' + 'c'.repeat(40), '0x' + 'd'.repeat(40)];

describe('summarizeRing: a sketch of a node’s own ring', () => {
  const ring = new Ring(
    ids.map((id) => ({ id })),
    { shardLength: 2, replicationFactor: 3 },
  );
  const summary = summarizeRing(ring.toCompact());

  test('counts every member’s shard replicas, as the ring does', () => {
    expect(summary.fingerprint).toBe(ring.fingerprint());
    expect(summary.nodes).toEqual(ids);
    expect(summary.replicas).toEqual(Object.fromEntries(ids.map((id) => [id, ring.shardsOf(id).length])));
    expect(Object.values(summary.replicas).reduce((a, b) => a + b, 0)).toBe(36 ** 2 * 3);
  });

  test('samples the primary owner of evenly spaced shards', () => {
    expect(summary.primaries).toHaveLength(RING_SAMPLES);
    for (const i of [0, 1, 100, RING_SAMPLES - 1]) {
      const shard = shardAt(Math.floor((i * 36 ** 2) / RING_SAMPLES), 2);
      expect(summary.nodes[summary.primaries[i]]).toBe(ring.owners(shard)[0]);
    }
  });

  test('an empty ring has no primaries (-1)', () => {
    const empty = summarizeRing(new Ring([], { shardLength: 1 }).toCompact());
    expect([empty.nodes, empty.replicas, new Set(empty.primaries)]).toEqual([[], {}, new Set([-1])]);
  });

  test('a peer’s ring whose table does not match its fingerprint is refused', () => {
    const compact = ring.toCompact();
    expect(() => summarizeRing({ ...compact, fingerprint: 'f'.repeat(64) })).toThrow(/fingerprint/);
    expect(() => summarizeRing({ format: 'something/else' })).toThrow(/format/);
  });

  test('the cache keeps the latest sketches by fingerprint, dropping the oldest', () => {
    const cache = new RingSummaryCache(2);
    const sketch = (fingerprint: string) => ({ ...summary, fingerprint });
    cache.set(sketch('one'));
    cache.set(sketch('two'));
    cache.set(sketch('three'));
    expect(['one', 'two', 'three'].map((f) => cache.get(f)?.fingerprint ?? null)).toEqual([
      null,
      'two',
      'three',
    ]);
  });
});
