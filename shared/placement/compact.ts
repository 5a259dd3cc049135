import { hash } from 'node:crypto';
import { StorageError } from '../errors';
import { shardCount } from './keys';
import { normalizeNode } from './nodes';
import { NO_OWNER } from './table';
import {
  COMPACT_RING_FORMAT,
  MAX_NODES,
  MAX_REPLICATION_FACTOR,
  MAX_SHARD_LENGTH,
  type AssignmentMode,
  type CompactRing,
  type PlacementNode,
} from './types';

/**
 * The canonical table behind `CompactRing` and `fingerprint()`: nodes sorted by id, owners
 * as their positions in that list. Canonical so that two nodes that agree on the owners
 * produce the same bytes whatever order they learnt of the members in.
 */
export interface CanonicalRing {
  shardLength: number;
  replicationFactor: number;
  assignment: AssignmentMode;
  /** ε of the bounded mode; 0 for rendezvous. */
  loadBound: number;
  /** Sorted by id. */
  nodes: readonly PlacementNode[];
  /** shardCount × R positions into `nodes`, rank order, NO_OWNER at the tail. */
  owners: Uint16Array;
}

/** Little-endian uint16s, explicitly: the bytes are hashed and served, whatever the host's order. */
export function ownersBytes(owners: Uint16Array): Buffer {
  const bytes = Buffer.alloc(owners.length * 2);
  for (let i = 0; i < owners.length; i++) bytes.writeUInt16LE(owners[i], i * 2);
  return bytes;
}

/**
 * SHA-256, lower-case hex, of: ASCII `storage-v2/ring/1 <shardLength> <R> <nodeCount>\n`
 * (bounded mode: `… <nodeCount> bounded\n` and ε as a big-endian float64); then per node in
 * id order its ASCII id, `\n` and its weight as a big-endian float64; then the owners as
 * little-endian uint16s (docs/placement.md §Fingerprint).
 */
export function fingerprintOf(ring: CanonicalRing, bytes: Buffer = ownersBytes(ring.owners)): string {
  const bounded = ring.assignment === 'bounded';
  const header = `${COMPACT_RING_FORMAT} ${ring.shardLength} ${ring.replicationFactor} ${ring.nodes.length}${bounded ? ' bounded' : ''}\n`;
  const parts: Buffer[] = [Buffer.from(header, 'ascii')];
  if (bounded) parts.push(float64(ring.loadBound));
  for (const node of ring.nodes) parts.push(Buffer.from(node.id + '\n', 'ascii'), float64(node.weight));
  parts.push(bytes);
  return hash('sha256', Buffer.concat(parts), 'hex');
}

function float64(value: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeDoubleBE(value);
  return out;
}

export function encodeCompact(ring: CanonicalRing): CompactRing {
  const bytes = ownersBytes(ring.owners);
  return {
    format: COMPACT_RING_FORMAT,
    shardLength: ring.shardLength,
    replicationFactor: ring.replicationFactor,
    nodes: ring.nodes.map((n) => ({ id: n.id, weight: n.weight })),
    owners: bytes.toString('base64'),
    ...(ring.assignment === 'bounded' ? { assignment: 'bounded' as const, loadBound: ring.loadBound } : {}),
    fingerprint: fingerprintOf(ring, bytes),
  };
}

/**
 * Validates untrusted input (a peer's `/storage/ring` answer) down to every owner entry,
 * and checks the fingerprint. It does not re-run placement: build a Ring from `nodes` and
 * compare fingerprints for that.
 */
export function decodeCompact(input: unknown): CanonicalRing {
  const c = input as Partial<CompactRing> | null;
  if (!c || typeof c !== 'object' || c.format !== COMPACT_RING_FORMAT)
    invalid(`format must be ${COMPACT_RING_FORMAT}`);
  const shardLength = c.shardLength as number;
  const r = c.replicationFactor as number;
  // A peer's bad payload is a 400, not this node's BAD_CONFIG.
  if (!Number.isInteger(shardLength) || shardLength < 1 || shardLength > MAX_SHARD_LENGTH) {
    invalid(`shardLength must be an integer 1…${MAX_SHARD_LENGTH}`);
  }
  if (!Number.isInteger(r) || r < 1 || r > MAX_REPLICATION_FACTOR) {
    invalid(`replicationFactor must be an integer 1…${MAX_REPLICATION_FACTOR}`);
  }
  const { assignment, loadBound } = decodeAssignment(c);
  const nodes = decodeNodes(c.nodes);
  const owners = decodeOwners(c.owners, shardCount(shardLength) * r);
  checkOwners(owners, r, nodes.length);
  const ring = { shardLength, replicationFactor: r, assignment, loadBound, nodes, owners };
  if (fingerprintOf(ring) !== c.fingerprint) invalid('fingerprint does not match the table');
  return ring;
}

function decodeAssignment(c: Partial<CompactRing>): { assignment: AssignmentMode; loadBound: number } {
  if (c.assignment === undefined && c.loadBound === undefined)
    return { assignment: 'rendezvous', loadBound: 0 };
  const eps = c.loadBound;
  if (c.assignment !== 'bounded' || typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0 || eps > 10)
    invalid('assignment must be "bounded" with a loadBound of 0…10, or both absent');
  return { assignment: 'bounded', loadBound: eps };
}

function decodeNodes(input: unknown): PlacementNode[] {
  if (!Array.isArray(input) || input.length > MAX_NODES) invalid('nodes must be an array of at most 65535');
  const nodes = input.map((n: unknown) => normalizeNode(n as PlacementNode));
  for (let i = 1; i < nodes.length; i++) {
    if (!(nodes[i - 1].id < nodes[i].id)) invalid('nodes must be sorted by id without repeats');
  }
  return nodes;
}

function decodeOwners(input: unknown, entries: number): Uint16Array {
  if (typeof input !== 'string') invalid('owners must be a base64 string');
  const bytes = Buffer.from(input, 'base64');
  // Node's decoder skips junk characters; a canonical re-encoding catches them.
  if (bytes.length !== entries * 2 || bytes.toString('base64') !== input) {
    invalid(`owners must be base64 of ${entries} uint16 values`);
  }
  const owners = new Uint16Array(entries);
  for (let i = 0; i < entries; i++) owners[i] = bytes.readUInt16LE(i * 2);
  return owners;
}

/** Each shard: min(R, n) distinct node positions, then NO_OWNER. */
function checkOwners(owners: Uint16Array, r: number, n: number): void {
  const filled = Math.min(r, n);
  for (let off = 0; off < owners.length; off += r) {
    for (let j = 0; j < r; j++) {
      const v = owners[off + j];
      const ok = j >= filled ? v === NO_OWNER : v < n && !repeats(owners, off, j, v);
      if (!ok)
        invalid(`shard ${off / r}: owners must be ${filled} distinct node positions, then ${NO_OWNER}`);
    }
  }
}

function repeats(owners: Uint16Array, offset: number, count: number, v: number): boolean {
  for (let i = offset; i < offset + count; i++) if (owners[i] === v) return true;
  return false;
}

function invalid(message: string): never {
  throw new StorageError('VALIDATION_FAILED', `compact ring: ${message}`);
}
