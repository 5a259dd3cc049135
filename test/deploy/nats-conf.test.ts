import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { nodePermissions } from '../../shared/nats/permissions';

/**
 * The compose files' NATS configuration (issue 15): no Docker engine runs here, so the files
 * are checked instead — the permissions file says what shared/nats/permissions.ts says (the
 * set test/nats/nats-auth.test.ts runs an upload under), nats-server itself accepts each
 * config, and every storage node logs in as a user the config defines.
 */
const ROOT = path.resolve(__dirname, '../..');
const NATS_DIR = path.join(ROOT, 'nats');
const PASSWORDS = {
  NATS_STORAGE1_PASSWORD: 'a',
  NATS_STORAGE2_PASSWORD: 'b',
  NATS_STORAGE3_PASSWORD: 'c',
  NATS_ADMIN_PASSWORD: 'd',
};

/** The quoted subjects of the `allow`/`deny` list named `key` inside `block`. */
function listIn(text: string, block: 'publish' | 'subscribe', key: 'allow' | 'deny'): string[] {
  const inner = new RegExp(`${block} = \\{([\\s\\S]*?)\\n  \\}`).exec(text)?.[1] ?? '';
  const list = new RegExp(`${key} = \\[([\\s\\S]*?)\\]`).exec(inner)?.[1] ?? '';
  return [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

interface Service {
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  image?: string;
}

function services(file: string): Record<string, Service> {
  return (
    parse(fs.readFileSync(path.join(ROOT, file), 'utf8'), { merge: true }) as {
      services: Record<string, Service>;
    }
  ).services;
}

describe('NATS configuration of the compose files', () => {
  test('nats/node-permissions.conf grants exactly the documented minimum', () => {
    const text = fs.readFileSync(path.join(NATS_DIR, 'node-permissions.conf'), 'utf8');
    const want = nodePermissions();
    expect({
      publish: { allow: listIn(text, 'publish', 'allow'), deny: listIn(text, 'publish', 'deny') },
      subscribe: { allow: listIn(text, 'subscribe', 'allow') },
    }).toEqual(want);
  });

  test.each(['cluster.conf', 'dev.conf'])('nats-server accepts nats/%s', (file) => {
    const out = execFileSync('nats-server', ['-t', '-c', file], {
      cwd: NATS_DIR,
      env: { ...process.env, ...PASSWORDS },
      encoding: 'utf8',
      stdio: 'pipe',
    });
    expect(`${out}`).toBe('');
  });

  test.each([
    ['docker-compose.v2.yml', 'cluster.conf'],
    ['docker-compose.v2.dev.yml', 'dev.conf'],
  ])('%s: NATS reads nats/%s and every node logs in as one of its users', (compose, conf) => {
    const all = services(compose);
    const users = [...fs.readFileSync(path.join(NATS_DIR, conf), 'utf8').matchAll(/user: (\w+),/g)].map(
      (m) => m[1],
    );
    const nats = Object.values(all).filter((s) => s.image?.startsWith('nats:'));
    expect(nats.length).toBeGreaterThan(0);
    for (const s of nats) {
      expect(s.command?.slice(0, 2)).toEqual(['-c', `/etc/nats/${conf}`]);
      expect(s.volumes).toContain('./nats:/etc/nats:ro');
    }
    const nodes = Object.values(all).filter((s) => s.environment?.NATS_SERVER_URL);
    expect(nodes.length).toBeGreaterThan(0);
    for (const s of nodes) {
      expect(users).toContain(s.environment?.AUDIUS_NATS_USER);
      expect(s.environment?.AUDIUS_NATS_PASSWORD).toMatch(/^\$\{NATS_STORAGE\d_PASSWORD:/);
    }
  });
});
