import { fingerprintOf, ownersBytes } from '../../../shared/placement/compact';
import { allShards, COMPACT_RING_FORMAT, Ring, type CompactRing } from '../../../shared/placement/mod';
import { codeOf, prng, randomNodes } from './helpers';

function tableOf(ring: Ring): string[][] {
  return allShards(ring.shardLength).map((s) => ring.owners(s));
}

/** A copy of `compact` with its owners replaced and the fingerprint made to match them. */
function withOwners(compact: CompactRing, edit: (owners: Uint16Array) => void): CompactRing {
  const bytes = Buffer.from(compact.owners, 'base64');
  const owners = new Uint16Array(bytes.length / 2).map((_, i) => bytes.readUInt16LE(i * 2));
  edit(owners);
  const canonical = { ...compact, assignment: 'rendezvous' as const, loadBound: 0, owners };
  return {
    ...compact,
    owners: ownersBytes(owners).toString('base64'),
    fingerprint: fingerprintOf(canonical),
  };
}

describe('compact ring', () => {
  const nodes = randomNodes(prng(31), 20, [1, 2]);
  const ring = new Ring(nodes, { shardLength: 2 });

  it('round-trips through JSON', () => {
    const compact = JSON.parse(JSON.stringify(ring.toCompact())) as CompactRing;
    const decoded = Ring.fromCompact(compact, { verify: true });
    expect(decoded.fingerprint()).toBe(ring.fingerprint());
    expect(decoded.nodes).toEqual(ring.nodes);
    expect(tableOf(decoded)).toEqual(tableOf(ring));
    expect(decoded.toCompact()).toEqual(compact);
  });

  it('describes itself: format, sizes, node list by id', () => {
    const compact = ring.toCompact();
    expect(compact.format).toBe(COMPACT_RING_FORMAT);
    expect(compact).toMatchObject({ shardLength: 2, replicationFactor: 3, fingerprint: ring.fingerprint() });
    expect(compact.nodes.map((n) => n.id)).toEqual([...nodes.map((n) => n.id)].sort());
    expect(Buffer.from(compact.owners, 'base64')).toHaveLength(1296 * 3 * 2);
  });

  it('is a few hundred KB at shard length 3', () => {
    const big = new Ring(randomNodes(prng(32), 100)).toCompact();
    // 46,656 shards × 3 owners × 2 bytes, in base64.
    expect(big.owners).toHaveLength(373_248);
  });

  it('keeps working after decoding: joins and leaves as the original', () => {
    const decoded = Ring.fromCompact(ring.toCompact());
    const copy = new Ring(nodes, { shardLength: 2 });
    expect(decoded.join({ id: '0xnew', weight: 2 })).toEqual(copy.join({ id: '0xnew', weight: 2 }));
    expect(decoded.leave(nodes[3].id)).toEqual(copy.leave(nodes[3].id));
    expect(decoded.fingerprint()).toBe(copy.fingerprint());
  });

  it('round-trips a ring with fewer nodes than R', () => {
    const small = new Ring(['0xa', '0xb'], { shardLength: 1 });
    expect(tableOf(Ring.fromCompact(small.toCompact()))).toEqual(tableOf(small));
  });

  const good = ring.toCompact();
  it.each([
    ['another format', { ...good, format: 'storage-v2/ring/0' }],
    ['a changed fingerprint', { ...good, fingerprint: '0'.repeat(64) }],
    ['a changed weight', { ...good, nodes: good.nodes.map((n, i) => (i === 0 ? { ...n, weight: 3 } : n)) }],
    ['unsorted nodes', { ...good, nodes: [...good.nodes].reverse() }],
    ['a malformed node', { ...good, nodes: [{ id: '' }, ...good.nodes.slice(1)] }],
    ['a tampered owner byte', { ...good, owners: flipFirstByte(good.owners) }],
    ['short owners', { ...good, owners: good.owners.slice(0, 400) }],
    ['non-base64 owners', { ...good, owners: '!' + good.owners.slice(1) }],
    ['an owner past the node list', withOwners(good, (o) => (o[0] = 20))],
    ['a repeated owner', withOwners(good, (o) => (o[1] = o[0]))],
    ['a missing owner', withOwners(good, (o) => (o[2] = 0xffff))],
    ['shard length 9', { ...good, shardLength: 9 }],
    ['a string shard length', { ...good, shardLength: '2' }],
    ['replication factor 0', { ...good, replicationFactor: 0 }],
    ['not an object', null],
  ])('rejects %s with VALIDATION_FAILED', (_label, input) => {
    expect(codeOf(() => Ring.fromCompact(input))).toBe('VALIDATION_FAILED');
  });

  it('with verify, rejects a consistent table that placement would not produce', () => {
    const swapped = withOwners(good, (o) => ([o[0], o[1]] = [o[1], o[0]]));
    const [first, second, third] = ring.owners('00');
    expect(Ring.fromCompact(swapped).owners('00')).toEqual([second, first, third]);
    expect(codeOf(() => Ring.fromCompact(swapped, { verify: true }))).toBe('VALIDATION_FAILED');
  });
});

function flipFirstByte(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] ^= 1;
  return bytes.toString('base64');
}
