import { buildShardReport, type Listing, type ShardJob } from '../../../shared/weather/shard-report';

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

function report(listings: Record<string, Listing>, jobs: ShardJob[] = [job()], owners = [A, B, C]) {
  return buildShardReport({
    shard: '7tu',
    prefix: '0_7tu',
    owners,
    member: (id) => members[id],
    listings: new Map(Object.entries(listings)),
    jobs,
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
