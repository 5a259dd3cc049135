/**
 * Placement simulation (docs/placement.md §Simulation): load balance, data moved on a join
 * or a leave, and the cost of tables, updates and lookups, for the network sizes the design
 * has to serve. Run: `npx tsc -p tsconfig.build.json && node dist/bench/placement-simulation.js`
 * (about a minute on two cores). Seeded, so two runs place the same files on the same nodes;
 * only the timings vary.
 */
import { performance } from 'node:perf_hooks';
import {
  allShards,
  DEFAULT_LOAD_BOUND,
  Ring,
  shardIndex,
  shardOfId,
  type AssignmentMode,
  type NodeSpec,
} from '../shared/placement/mod';
import { shardMixTable } from '../shared/placement/score';

const FILES = 1_000_000;
const SIZES = [10, 70, 300, 1000];
// Length 4 rows (the other way to balance 1,000 nodes) are in docs/placement.md from an earlier run.
const SHARD_LENGTHS = [3];
const MODES: AssignmentMode[] = ['rendezvous', 'bounded'];
const R = 3;
const LOOKUPS = 200_000;
const CHURN_SAMPLES = 5;

interface Row {
  shardLength: number;
  assignment: AssignmentMode;
  nodes: number;
  replicasPerNode: { mean: number; maxOverMean: number };
  files: { maxOverMean: number; minOverMean: number; cv: number; idealCv: number };
  joinMoved: number;
  leaveMoved: number;
  reweightMoved: number;
  reweightIdeal: number;
  buildMs: number;
  joinMs: number;
  leaveMs: number;
  lookupUs: number;
}

/** mulberry32: a seeded generator so every run simulates the same files and nodes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function base36(rand: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(rand() * 36).toString(36);
  return out;
}

/** cuid-shaped ids: `c`, 8 chars of time, 4 of counter, 4 of host print, 8 random — the shard comes from the random tail. */
function cuidLike(rand: () => number, i: number): string {
  const time = (1_700_000_000_000 + i * 7).toString(36).padStart(8, '0').slice(-8);
  const counter = (i % 36 ** 4).toString(36).padStart(4, '0');
  return `c${time}${counter}k3x9${base36(rand, 8)}`;
}

function address(rand: () => number): string {
  let hex = '0x';
  for (let i = 0; i < 40; i++) hex += Math.floor(rand() * 16).toString(16);
  return hex;
}

/** Files per shard for each shard length, plus a sample of file names to look up. */
function simulateFiles(): { perShard: Map<number, Uint32Array>; names: string[] } {
  const rand = prng(2024);
  const perShard = new Map(SHARD_LENGTHS.map((len) => [len, new Uint32Array(36 ** len)]));
  const names: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const id = cuidLike(rand, i);
    for (const [len, counts] of perShard) counts[shardIndex(shardOfId(id, len), len)]++;
    if (i < LOOKUPS) names.push(`${id}_320.mp3`);
  }
  return { perShard, names };
}

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Files and shard replicas held per node, by node position in `ring.nodes`; one pass over the shards. */
function loads(ring: Ring, counts: Uint32Array): { files: Float64Array; replicas: Float64Array } {
  const position = new Map(ring.nodes.map((n, i) => [n.id, i]));
  const files = new Float64Array(ring.size);
  const replicas = new Float64Array(ring.size);
  allShards(ring.shardLength).forEach((shard, s) => {
    for (const owner of ring.owners(shard)) {
      const i = position.get(owner) as number;
      files[i] += counts[s];
      replicas[i]++;
    }
  });
  return { files, replicas };
}

function stats(values: Float64Array): { mean: number; max: number; min: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, max: Math.max(...values), min: Math.min(...values), sd };
}

/** Every shard's owners, for comparing a ring before and after a change. */
function snapshot(ring: Ring): string[][] {
  return allShards(ring.shardLength).map((shard) => ring.owners(shard));
}

/** Share of all files that need a new copy: per shard, its files × owners it did not have before. */
function movedShare(before: string[][], after: string[][], counts: Uint32Array): number {
  let copies = 0;
  for (let s = 0; s < before.length; s++) {
    const old = new Set(before[s]);
    for (const owner of after[s]) if (!old.has(owner)) copies += counts[s];
  }
  return copies / FILES;
}

/**
 * Join then leave a few newcomers, leave then re-join a few members, and double one
 * member's weight: the share of files copied, and the update times.
 */
function churn(ring: Ring, members: NodeSpec[], counts: Uint32Array, rand: () => number) {
  const join = { moved: [] as number[], ms: [] as number[] };
  const leave = { moved: [] as number[], ms: [] as number[] };
  for (let k = 0; k < CHURN_SAMPLES; k++) {
    const newcomer = address(rand);
    let before = snapshot(ring);
    const [, joinMs] = time(() => ring.join(newcomer));
    join.moved.push(movedShare(before, snapshot(ring), counts));
    join.ms.push(joinMs);
    ring.leave(newcomer);
    const leaver = members[Math.floor(rand() * members.length)];
    before = snapshot(ring);
    const [, leaveMs] = time(() => ring.leave(leaver.id));
    leave.moved.push(movedShare(before, snapshot(ring), counts));
    leave.ms.push(leaveMs);
    ring.join(leaver);
  }
  // A weight change rebuilds the ring (shared/membership does the same).
  const heavier = members.map((m, i) => (i === 0 ? { ...m, weight: 2 } : m));
  const reweightMoved = movedShare(snapshot(ring), snapshot(new Ring(heavier, ring.options)), counts);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    joinMoved: mean(join.moved),
    joinMs: median(join.ms),
    leaveMoved: mean(leave.moved),
    leaveMs: median(leave.ms),
    reweightMoved,
    // The node's share of R copies grows from 1/n to 2/(n+1) of all files.
    reweightIdeal: Math.min(1, R * (2 / (members.length + 1))) - Math.min(1, R / members.length),
  };
}

function lookupMicros(ring: Ring, names: string[]): number {
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += ring.ownersOfKey(names[i]).length; // warm up
  const [, ms] = time(() => {
    for (const name of names) sink += ring.ownersOfKey(name).length;
  });
  if (sink === 0) throw new Error('no owners');
  return (ms * 1000) / names.length;
}

function simulate(
  len: number,
  assignment: AssignmentMode,
  n: number,
  counts: Uint32Array,
  names: string[],
): Row {
  const rand = prng(n * 10 + len);
  const members: NodeSpec[] = Array.from({ length: n }, () => ({ id: address(rand) }));
  const options = { shardLength: len, replicationFactor: R, assignment };
  const builds = len === 3 ? 3 : 1;
  let ring = new Ring([]);
  const buildTimes: number[] = [];
  for (let b = 0; b < builds; b++) {
    const [built, ms] = time(() => new Ring(members, options));
    ring = built;
    buildTimes.push(ms);
  }
  const { files, replicas } = loads(ring, counts);
  const f = stats(files);
  const rep = stats(replicas);
  const filesPerShard = FILES / counts.length;
  return {
    shardLength: len,
    assignment,
    nodes: n,
    replicasPerNode: { mean: rep.mean, maxOverMean: rep.max / rep.mean },
    // A perfect random placement: each node's load sums ~m shards of Poisson(λ) files, so
    // CV² ≈ (1 + 1/λ) / m with m the replicas per node (binomial thinning ignored).
    files: {
      maxOverMean: f.max / f.mean,
      minOverMean: f.min / f.mean,
      cv: f.sd / f.mean,
      idealCv: Math.sqrt((1 + 1 / filesPerShard) / rep.mean),
    },
    ...churn(ring, members, counts, rand),
    buildMs: median(buildTimes),
    lookupUs: lookupMicros(ring, names),
  };
}

/** The bounded mode's trade between balance and movement at 1,000 nodes, by ε. */
function loadBoundSweep(counts: Uint32Array): string[] {
  const lines = [
    '| ε | replicas max/mean | moved on join / ideal | moved on leave / ideal | build ms |',
    '|---|---|---|---|---|',
  ];
  for (const loadBound of [0.02, DEFAULT_LOAD_BOUND, 0.1, 0.2]) {
    const rand = prng(1000 * 10 + 3);
    const members: NodeSpec[] = Array.from({ length: 1000 }, () => ({ id: address(rand) }));
    const [ring, ms] = time(() => new Ring(members, { assignment: 'bounded', loadBound }));
    const rep = stats(loads(ring, counts).replicas);
    const c = churn(ring, members, counts, rand);
    lines.push(
      `| ${loadBound} | ${(rep.max / rep.mean).toFixed(3)} | ${(c.joinMoved / (R / 1001)).toFixed(2)} | ${(c.leaveMoved / (R / 1000)).toFixed(2)} | ${ms.toFixed(0)} |`,
    );
  }
  return lines;
}

function weightedCheck(): string[] {
  const rand = prng(7);
  const nodes: NodeSpec[] = Array.from({ length: 100 }, (_, i) => ({
    id: address(rand),
    weight: i < 10 ? 2 : 1,
  }));
  const big: NodeSpec[] = Array.from({ length: 1000 }, (_, i) => ({
    id: address(rand),
    weight: 1 + (i % 4),
  }));
  return MODES.flatMap((assignment) => {
    const [ring, ms] = time(() => new Ring(nodes, { assignment }));
    const heavy = nodes.slice(0, 10).reduce((s, n) => s + ring.shardsOf(n.id).length, 0) / 10;
    const light = nodes.slice(10).reduce((s, n) => s + ring.shardsOf(n.id).length, 0) / 90;
    const [bigRing, bigMs] = time(() => new Ring(big, { assignment }));
    // Fullest node against its weighted share of the S·R replicas.
    const total = big.reduce((s, n) => s + (n.weight as number), 0);
    const worst = Math.max(
      ...big.map((n) => bigRing.shardsOf(n.id).length / ((36 ** 3 * R * (n.weight as number)) / total)),
    );
    return [
      `${assignment}: 100 nodes, 10 of weight 2, shard length 3, R 3: shards per weight-2 node / per weight-1 node = ` +
        `${(heavy / light).toFixed(3)} (${heavy.toFixed(0)} / ${light.toFixed(0)}); build ${ms.toFixed(0)} ms`,
      `${assignment}: 1,000 nodes, weights 1–4, shard length 3: full table ${bigMs.toFixed(0)} ms; ` +
        `fullest node / its weighted share = ${worst.toFixed(3)}`,
    ];
  });
}

/** E[max of n standard normals], by seeded Monte Carlo (200 draws of n). */
function expectedMaxNormal(n: number, rand: () => number): number {
  let total = 0;
  for (let t = 0; t < 200; t++) {
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()); // Box–Muller
      if (z > max) max = z;
    }
    total += max;
  }
  return total / 200;
}

/**
 * What a perfect random hash would give: a node's shard replicas are Binomial(S, R/n), so
 * max/mean ≈ 1 + E[max of n normals] · sqrt((1 − R/n) / m), m = S·R/n. Checked against the
 * measured rows above; used to say which shard length a network size needs.
 */
function shardLengthGuide(): string[] {
  const rand = prng(99);
  const lines = [
    '| nodes | replicas/node, len 3 | predicted max/mean, len 3 | replicas/node, len 4 | predicted max/mean, len 4 |',
  ];
  lines.push('|---|---|---|---|---|');
  for (const n of [10, 100, 150, 200, 500, 1000, 2000, 4000, 10000]) {
    const z = expectedMaxNormal(n, rand);
    const cells = [3, 4].flatMap((len) => {
      const m = (36 ** len * R) / n;
      return [m.toFixed(0), (1 + z * Math.sqrt((1 - R / n) / m)).toFixed(3)];
    });
    lines.push(`| ${n} | ${cells.join(' | ')} |`);
  }
  return lines;
}

function pct(x: number): string {
  return (x * 100).toFixed(2) + '%';
}

function printRow(r: Row): void {
  const cells = [
    r.shardLength,
    r.assignment,
    r.nodes,
    r.replicasPerNode.mean.toFixed(0),
    r.replicasPerNode.maxOverMean.toFixed(3),
    r.files.maxOverMean.toFixed(3),
    r.files.minOverMean.toFixed(3),
    `${pct(r.files.cv)} (${pct(r.files.idealCv)})`,
    `${pct(r.joinMoved)} (${pct(R / (r.nodes + 1))})`,
    `${pct(r.leaveMoved)} (${pct(R / r.nodes)})`,
    `${pct(r.reweightMoved)} (${pct(r.reweightIdeal)})`,
    r.buildMs.toFixed(0),
    r.joinMs.toFixed(1),
    r.leaveMs.toFixed(1),
    r.lookupUs.toFixed(2),
  ];
  console.log(`| ${cells.join(' | ')} |`);
}

function main(): void {
  const started = performance.now();
  console.log(
    `Placement simulation: ${FILES.toLocaleString('en')} files (cuid-like ids), R = ${R}, node ${process.version}`,
  );
  const [{ perShard, names }, filesMs] = time(simulateFiles);
  console.log(`generated files and shard counts in ${(filesMs / 1000).toFixed(1)} s`);
  for (const len of SHARD_LENGTHS) {
    const [, ms] = time(() => shardMixTable(len));
    console.log(
      `shard hash table, length ${len} (${(36 ** len).toLocaleString('en')} SHA-256, once per process): ${ms.toFixed(0)} ms`,
    );
  }
  console.log('');
  console.log(
    '| shard len | assignment | nodes | shard replicas/node | replicas max/mean | files max/mean | files min/mean | files stddev/mean (ideal) | moved on join (ideal R/(n+1)) | moved on leave (ideal R/n) | moved on weight 1→2 (ideal) | build ms | join ms | leave ms | lookup µs |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const n of SIZES) {
    for (const mode of MODES) printRow(simulate(3, mode, n, perShard.get(3) as Uint32Array, names));
  }
  console.log('');
  console.log(
    '"moved" = new copies to make, as a share of all files (a file gaining one owner = one copy); ideal: a join moves R/(n+1), a leave R/n, a weight 1 → 2 the growth of that node\'s share.',
  );
  console.log(
    '"ideal" stddev/mean = sqrt((1 + 1/files per shard) / shard replicas per node), a perfect random hash.',
  );
  console.log(
    'build = full shard → owners table (median of 3 at length 3); join/leave = update of a built ring (median of 5).',
  );
  console.log('');
  console.log(`Bounded loads at 1,000 nodes, shard length 3, by ε (default ${DEFAULT_LOAD_BOUND}):`);
  for (const line of loadBoundSweep(perShard.get(3) as Uint32Array)) console.log(line);
  console.log('');
  for (const line of weightedCheck()) console.log(line);
  console.log('');
  console.log('Shard replicas per node: max/mean a perfect random hash would give (no files involved):');
  for (const line of shardLengthGuide()) console.log(line);
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main();
