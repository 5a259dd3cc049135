import path from 'node:path';
import { spawnChild } from '../../shared/local/child';
import { NODE_ENTRY } from '../../shared/local/storage-node-process';
import { tempDir } from '../harness/temp';

/**
 * A node with a bad setting fails at start with one line that says what is wrong — never a
 * stack trace (issue: "one clear line each at start").
 */
describe('start-up checks', () => {
  const temp = tempDir('badconfig');
  afterAll(() => temp.remove());

  const start = async (env: Record<string, string>) => {
    const lines: string[] = [];
    const child = spawnChild('bad', process.execPath, [NODE_ENTRY], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: temp.dir,
        AUDIUS_DATA_DIR: path.join(temp.dir, 'data'),
        NATS_SERVER_URL: 'nats://127.0.0.1:1',
        ...env,
      },
      onLine: (line) => lines.push(line),
    });
    const code = await child.exited;
    return { code, lines };
  };

  test.each([
    ['an unknown scheme', { storage_driver_url: 'ftp://host/dir' }, /unknown scheme "ftp:"/],
    ['a missing bucket', { storage_driver_url: 's3://?region=us-east-1' }, /missing the bucket name/],
    [
      'a bad query option',
      { storage_driver_url: 's3://bucket?region=us-east-1&colour=blue' },
      /unknown s3 option "colour"/,
    ],
    ['a file URL with a host', { storage_driver_url: 'file://relative/dir' }, /needs three slashes/],
    [
      'a malformed delegate key',
      { storage_driver_url: 'file:///tmp/sv2-badcfg', AUDIUS_DELEGATE_PRIVATE_KEY: 'zz' },
      /32 bytes of hex/,
    ],
    ['a bad number', { AUDIUS_PORT: 'ninety' }, /AUDIUS_PORT=ninety/],
    // Issue 15: a container node must name its public URL; peers refuse a host like these.
    ['listening on 0.0.0.0 without a public host', { AUDIUS_LISTEN_HOST: '0.0.0.0' }, /set AUDIUS_HOST/],
    ['a host with credentials', { AUDIUS_HOST: 'http://u:p@node.example:9924' }, /carries credentials/],
    ['a host with a path', { AUDIUS_HOST: 'http://node.example:9924/storage' }, /has a path/],
  ])('%s is one clear line and exit code 1', async (_name, env, message) => {
    const { code, lines } = await start(env);
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^storage node failed to start: /);
    expect(lines[0]).toMatch(message);
  });
});
