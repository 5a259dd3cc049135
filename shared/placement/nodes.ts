import { StorageError } from '../errors';
import { MAX_NODES, type NodeInput, type PlacementNode, type RankedNode } from './types';

// Printable ASCII only: ties break on id order, and for ASCII the code-unit order of JS
// strings equals the byte order every other language compares by. No spaces or newlines,
// so ids can be framed by '\n' in the fingerprint.
const NODE_ID_RE = /^[\x21-\x7e]{1,256}$/;

export function normalizeNode(input: NodeInput): PlacementNode {
  const spec = typeof input === 'string' ? { id: input } : input;
  if (!spec || typeof spec.id !== 'string' || !NODE_ID_RE.test(spec.id)) {
    throw new StorageError(
      'VALIDATION_FAILED',
      `node id must be 1…256 printable ASCII characters: ${describe(spec)}`,
    );
  }
  const weight = spec.weight ?? 1;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
    throw new StorageError('VALIDATION_FAILED', `node ${spec.id}: weight must be a finite number > 0`);
  }
  return { id: spec.id, weight };
}

/** Validated nodes sorted by id; a repeated id is an error, not a silent merge. */
export function normalizeNodes(inputs: readonly NodeInput[]): PlacementNode[] {
  if (!Array.isArray(inputs)) throw new StorageError('VALIDATION_FAILED', 'nodes must be an array');
  if (inputs.length > MAX_NODES) {
    throw new StorageError('VALIDATION_FAILED', `at most ${MAX_NODES} nodes, got ${inputs.length}`);
  }
  const nodes = inputs.map(normalizeNode).sort((a, b) => compareIds(a.id, b.id));
  for (let i = 1; i < nodes.length; i++) {
    if (nodes[i].id === nodes[i - 1].id)
      throw new StorageError('VALIDATION_FAILED', `duplicate node ${nodes[i].id}`);
  }
  return nodes;
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The ranking rule (docs/placement.md §Ranking): higher key first — but between equal
 * weights compare the integer scores, which orders them the same way without trusting a
 * floating-point log — and on a tie the smaller id first. Negative: `a` ranks first.
 */
export function compareRanked(a: RankedNode, b: RankedNode): number {
  if (a.weight === b.weight) {
    if (a.score !== b.score) return a.score > b.score ? -1 : 1;
  } else if (a.key !== b.key) {
    return a.key > b.key ? -1 : 1;
  }
  return compareIds(a.id, b.id);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? text.slice(0, 80) + '…' : text;
}
