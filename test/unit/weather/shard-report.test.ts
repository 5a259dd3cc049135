import {
  buildShardReport,
  parseRepairAnswer,
  type Listing,
  type RepairProbe,
  type ShardJob,
} from '../../../shared/weather/shard-report';

const [A, B, C, D] = ['0xa', '0xb', '0xc', '0xd'];
const ID = 'cmwv5cl2t0jvw15fqqufat7tu';
const SHA = { mp3: '1'.repeat(64), preview: '2'.repeat(64) };
const job = (over: Partial<ShardJob> = {}): ShardJob => ({
  id: ID,
  status: 'done',
  source_info: { description: 'dub.mp3' },
  results: [
    { name: `${ID}_320.mp3`, size: 100, sha256: SHA.mp3, nodes: [A, B, C] },
    { name: `${ID}_preview.mp3`, size: 40, sha256: SHA.preview, nodes: [A, B, C] },
  ],
  ...over,
});
const item = (name: string, size: number, sha256: string | null) => ({
  key: `0_7tu/${ID}_${name}`,
  size,
  sha256,
});
const full = (): Listing => ({
  reachable: true,
  items: [item('320.mp3', 100, SHA.mp3), item('preview.mp3', 40, SHA.preview)],
});
const members: Record<string, { host: string; healthy: boolean }> = {
  [A]: { host: 'http://a', healthy: true },
  [B]: { host: 'http://b', healthy: true },
  [C]: { host: 'http://c', healthy: true },
  [D]: { host: 'http://d', healthy: false },
};

function report(
  listings: Record<string, Listing>,
  jobs: ShardJob[] = [job()],
  owners = [A, B, C],
  repairs?: Record<string, RepairProbe>,
) {
  return buildShardReport({
    shard: '7tu',
    prefix: '0_7tu',
    owners,
    member: (id) => members[id],
    listings: new Map(Object.entries(listings)),
    jobs,
    ...(repairs ? { repairs: new Map(Object.entries(repairs)) } : {}),
  });
}

describe('buildShardReport: where each file of a shard is, checked against every owner', () => {
  test('every owner holds every file with the recorded size and sha256: healthy', () => {
    const r = report({ [A]: full(), [B]: full(), [C]: full() });
    expect(r.files.map((f) => [f.fileName, f.status, f.goodOwnerCopies])).toEqual([
      [`${ID}_320.mp3`, 'healthy', 3],
      [`${ID}_preview.mp3`, 'healthy', 3],
    ]);
    expect(r.files[0]).toEqual({
      fileName: `${ID}_320.mp3`,
      jobId: ID,
      expected: { size: 100, sha256: SHA.mp3 },
      jobStatus: 'done',
      status: 'healthy',
      copies: Object.fromEntries([A, B, C].map((id) => [id, { state: 'ok', size: 100, sha256: SHA.mp3 }])),
      goodOwnerCopies: 3,
    });
    expect(r.nodes).toEqual([
      { nodeId: A, host: 'http://a', rank: 0, healthy: true, reachable: true },
      { nodeId: B, host: 'http://b', rank: 1, healthy: true, reachable: true },
      { nodeId: C, host: 'http://c', rank: 2, healthy: true, reachable: true },
    ]);
    expect(r.pendingJobs).toEqual([]);
  });

  test('an owner without the file: NOT REPLICATED, that owner’s copy missing', () => {
    const lacking: Listing = { reachable: true, items: [item('preview.mp3', 40, SHA.preview)] };
    const r = report({ [A]: full(), [B]: lacking, [C]: full() });
    expect(r.files.map((f) => f.status)).toEqual(['NOT REPLICATED', 'healthy']);
    expect(r.files[0].copies[B]).toEqual({ state: 'missing' });
    expect(r.files[0].goodOwnerCopies).toBe(2);
  });

  test('an owner that cannot be asked cannot confirm its copy: NOT REPLICATED, unreachable', () => {
    const r = report({ [A]: full(), [B]: full(), [C]: { reachable: false, error: 'timed out' } });
    expect(r.files.map((f) => f.status)).toEqual(['NOT REPLICATED', 'NOT REPLICATED']);
    expect(r.files[0].copies[C]).toEqual({ state: 'unreachable' });
    expect(r.nodes[2]).toEqual({
      nodeId: C,
      host: 'http://c',
      rank: 2,
      healthy: true,
      reachable: false,
      error: 'timed out',
    });
  });

  test('a copy whose sha256 or size differs from the job record: DIGEST MISMATCH, whatever else holds', () => {
    const badSha: Listing = {
      reachable: true,
      items: [item('320.mp3', 100, 'f'.repeat(64)), item('preview.mp3', 41, null)],
    };
    const r = report({ [A]: full(), [B]: badSha, [C]: full() });
    expect(r.files.map((f) => f.status)).toEqual(['DIGEST MISMATCH', 'DIGEST MISMATCH']);
    expect(r.files[0].copies[B]).toEqual({ state: 'mismatch', size: 100, sha256: 'f'.repeat(64) });
    expect(r.files[1].copies[B]).toEqual({ state: 'mismatch', size: 41, sha256: null });
  });

  test('a store that reports no digest is checked on size alone', () => {
    const noSha: Listing = {
      reachable: true,
      items: [item('320.mp3', 100, null), item('preview.mp3', 40, null)],
    };
    expect(report({ [A]: noSha, [B]: full(), [C]: full() }).files.map((f) => f.status)).toEqual([
      'healthy',
      'healthy',
    ]);
  });

  test('a non-owner holding files (a former owner) gets a column after the owners', () => {
    const r = report({ [A]: full(), [B]: full(), [D]: full() }, [job()], [A, B]);
    expect(r.nodes.map((n) => [n.nodeId, n.rank, n.healthy])).toEqual([
      [A, 0, true],
      [B, 1, true],
      [D, null, false],
    ]);
    expect(r.files[0].status).toBe('healthy');
    expect(r.files[0].copies[D]).toEqual({ state: 'ok', size: 100, sha256: SHA.mp3 });
  });

  test('a file no job record names is listed; its copies must agree with each other', () => {
    const stray = (sha: string): Listing => ({ reachable: true, items: [item('150.jpg', 7, sha)] });
    const r = report(
      { [A]: stray('a'.repeat(64)), [B]: stray('a'.repeat(64)), [C]: stray('b'.repeat(64)) },
      [],
    );
    expect(r.files).toHaveLength(1);
    expect(r.files[0]).toEqual(
      expect.objectContaining({
        fileName: `${ID}_150.jpg`,
        jobId: ID,
        expected: null,
        jobStatus: null,
        status: 'DIGEST MISMATCH',
      }),
    );
  });

  test('jobs not stored yet are listed apart: their files are not expected anywhere yet', () => {
    const pending = job({
      id: 'cmwv5cl2t0jvw15fqqufat7tv'.replace(/v$/, 'u'),
      status: 'in_progress',
      results: [],
    });
    const r = report(
      {
        [A]: { reachable: true, items: [] },
        [B]: { reachable: true, items: [] },
        [C]: { reachable: true, items: [] },
      },
      [pending],
    );
    expect(r.files).toEqual([]);
    expect(r.pendingJobs).toEqual([{ id: pending.id, status: 'in_progress', name: 'dub.mp3' }]);
  });

  test('a done job whose file no node holds is NOT REPLICATED on every owner', () => {
    const empty: Listing = { reachable: true, items: [] };
    const r = report({ [A]: empty, [B]: empty, [C]: empty });
    expect(r.files.map((f) => [f.status, f.goodOwnerCopies])).toEqual([
      ['NOT REPLICATED', 0],
      ['NOT REPLICATED', 0],
    ]);
  });
});

describe('buildShardReport: copies being repaired right now (each owner’s GET /storage/repair/status)', () => {
  const lacking: Listing = { reachable: true, items: [item('preview.mp3', 40, SHA.preview)] };
  const idle: RepairProbe = { reachable: true, pulling: [] };

  test('an owner pulling a file it lacks: that cell is repairing, the file stays NOT REPLICATED', () => {
    // B pulls a file of this shard and one of another shard (…7tv), which is not this page's.
    const other = 'cmwv5cl2t0jvw15fqqufat7tv_320.mp3';
    const r = report({ [A]: full(), [B]: lacking, [C]: full() }, [job()], [A, B, C], {
      [A]: idle,
      [B]: { reachable: true, pulling: [other, `${ID}_320.mp3`] },
      [C]: idle,
    });
    expect(r.files.map((f) => [f.fileName, f.status, f.goodOwnerCopies])).toEqual([
      [`${ID}_320.mp3`, 'NOT REPLICATED', 2],
      [`${ID}_preview.mp3`, 'healthy', 3],
    ]);
    expect(r.files[0].copies).toEqual({
      [A]: { state: 'ok', size: 100, sha256: SHA.mp3 },
      [B]: { state: 'missing', repairing: true },
      [C]: { state: 'ok', size: 100, sha256: SHA.mp3 },
    });
    expect(Object.values(r.files[1].copies).some((c) => c.repairing)).toBe(false);
    expect(r.nodes).toEqual([
      { nodeId: A, host: 'http://a', rank: 0, healthy: true, reachable: true, repairing: [] },
      {
        nodeId: B,
        host: 'http://b',
        rank: 1,
        healthy: true,
        reachable: true,
        repairing: [`${ID}_320.mp3`],
      },
      { nodeId: C, host: 'http://c', rank: 2, healthy: true, reachable: true, repairing: [] },
    ]);
  });

  test('a copy with a bad digest being pulled again: repairing, the file still DIGEST MISMATCH', () => {
    const badSha: Listing = {
      reachable: true,
      items: [item('320.mp3', 100, 'f'.repeat(64)), item('preview.mp3', 40, SHA.preview)],
    };
    const r = report({ [A]: full(), [B]: badSha, [C]: full() }, [job()], [A, B, C], {
      [B]: { reachable: true, pulling: [`${ID}_320.mp3`] },
    });
    expect(r.files[0].status).toBe('DIGEST MISMATCH');
    expect(r.files[0].copies[B]).toEqual({
      state: 'mismatch',
      size: 100,
      sha256: 'f'.repeat(64),
      repairing: true,
    });
  });

  test('an owner whose repair status cannot be read: repairError, no cell marked, states unchanged', () => {
    const r = report({ [A]: full(), [B]: lacking, [C]: full() }, [job()], [A, B, C], {
      [A]: idle,
      [B]: { reachable: false, error: 'http://b/storage/repair/status answered 404' },
      [C]: idle,
    });
    expect(r.nodes[1]).toEqual({
      nodeId: B,
      host: 'http://b',
      rank: 1,
      healthy: true,
      reachable: true,
      repairError: 'http://b/storage/repair/status answered 404',
    });
    expect(r.files.map((f) => f.status)).toEqual(['NOT REPLICATED', 'healthy']);
    expect(r.files[0].copies[B]).toEqual({ state: 'missing' });
  });

  test('a file being pulled that no record names and no node lists still gets a row', () => {
    const empty: Listing = { reachable: true, items: [] };
    const r = report({ [A]: empty, [B]: empty }, [], [A, B], {
      [A]: { reachable: true, pulling: [`${ID}_150.jpg`] },
      [B]: idle,
    });
    expect(r.files).toEqual([
      {
        fileName: `${ID}_150.jpg`,
        jobId: ID,
        expected: null,
        jobStatus: null,
        status: 'NOT REPLICATED',
        copies: { [A]: { state: 'missing', repairing: true }, [B]: { state: 'missing' } },
        goodOwnerCopies: 0,
      },
    ]);
  });

  test('a non-owner is not asked: its column carries no repair fields and nothing is marked', () => {
    const r = report({ [A]: full(), [B]: full(), [D]: full() }, [job()], [A, B], {
      [A]: idle,
      [B]: idle,
    });
    expect(r.nodes.map((n) => [n.nodeId, n.repairing, n.repairError])).toEqual([
      [A, [], undefined],
      [B, [], undefined],
      [D, undefined, undefined],
    ]);
    expect(r.files.every((f) => Object.values(f.copies).every((c) => c.repairing === undefined))).toBe(true);
  });
});

describe('parseRepairAnswer: a node’s GET /storage/repair/status as the shard page reads it', () => {
  test('the files it pulls, when it answers as itself', () => {
    expect(parseRepairAnswer(B, { nodeId: B, status: {}, pulling: ['x_320.mp3'] })).toEqual({
      reachable: true,
      pulling: ['x_320.mp3'],
    });
  });

  test('another node answering at its host, or a malformed answer, is not believed', () => {
    expect(parseRepairAnswer(B, { nodeId: C, pulling: [] })).toEqual({
      reachable: false,
      error: `its host answered as ${C}`,
    });
    expect(parseRepairAnswer(B, null)).toEqual({ reachable: false, error: 'its host answered as undefined' });
    expect(parseRepairAnswer(B, { nodeId: B, pulling: [1] })).toEqual({
      reachable: false,
      error: 'its repair status is malformed',
    });
    expect(parseRepairAnswer(B, { nodeId: B })).toEqual({
      reachable: false,
      error: 'its repair status is malformed',
    });
  });
});
