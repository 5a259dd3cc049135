import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { BLOB_ENV_NAMES } from '../../shared/blob/env';
import { parseBlobUrl } from '../../shared/blob/url';
import { CONFIG_SPEC } from '../../shared/config';

/**
 * No Docker engine runs here, so the deployment files are checked for consistency instead:
 * the compose files and the Dockerfile must agree with each other, with the repository, and
 * with the environment variables the node actually reads.
 */
const ROOT = path.resolve(__dirname, '../..');

// ---- small parsers ----------------------------------------------------------------------

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string };
  command?: string[] | string;
  ports?: string[];
  environment?: Record<string, string | number>;
  env_file?: string[];
  volumes?: string[];
  depends_on?: Record<string, unknown>;
}

interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

function loadCompose(file: string): Compose {
  return parse(fs.readFileSync(path.join(ROOT, file), 'utf8'), { merge: true }) as Compose;
}

interface Instruction {
  op: string;
  args: string;
  stage: string;
}

/** Dockerfile instructions with `\` continuations joined and comments dropped. */
function loadDockerfile(file = 'Dockerfile'): Instruction[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  let stage = '';
  return logical.map((text) => {
    const [op, ...rest] = text.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? args;
    return { op: op.toUpperCase(), args, stage };
  });
}

function envFile(file: string): Record<string, string> {
  const entries = fs
    .readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
  return Object.fromEntries(entries) as Record<string, string>;
}

function environmentOf(service: Service): Record<string, string> {
  const fromFiles = Object.assign({}, ...(service.env_file ?? []).map(envFile)) as Record<string, string>;
  const own = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));
  return { ...fromFiles, ...own };
}

function args(service: Service): string[] {
  return Array.isArray(service.command) ? service.command : (service.command ?? '').split(/\s+/);
}

function flag(service: Service, name: string): string | undefined {
  const a = args(service);
  const i = a.indexOf(name);
  return i >= 0 ? a[i + 1] : undefined;
}

/** What the node reads: CONFIG_SPEC (names and aliases), the blob drivers' cloud variables, logging. */
const KNOWN_ENV = new Set<string>([
  ...Object.values(CONFIG_SPEC).flatMap((s) => ('alias' in s ? [s.env, s.alias] : [s.env])),
  ...BLOB_ENV_NAMES,
  'LOG_FORMAT', // shared/log.ts
  'LOG_LEVEL', // shared/log.ts
]);

const isNats = (s: Service) => s.image?.startsWith('nats:') ?? false;
const isNode = (s: Service) => s.build !== undefined;

function bucketsCreatedByInit(): string[] {
  const script = fs.readFileSync(path.join(ROOT, 'localstack/init/ready.d/create-buckets.sh'), 'utf8');
  const m = /BUCKETS="\$\{STORAGE_BUCKETS:-([^}]*)\}"/.exec(script);
  return m ? m[1].split(/\s+/) : [];
}

// ---- checks shared by both compose files --------------------------------------------------

describe.each(['docker-compose.v2.yml', 'docker-compose.v2.dev.yml'])('%s', (file) => {
  const compose = loadCompose(file);
  const services = compose.services;
  const stages = new Set(
    loadDockerfile()
      .filter((i) => i.op === 'FROM')
      .map((i) => i.stage),
  );

  test('every build context and Dockerfile exists, and the target is a Dockerfile stage', () => {
    const built = Object.entries(services).filter(([, s]) => isNode(s));
    expect(built.length).toBeGreaterThan(0);
    for (const [, s] of built) {
      const context = path.resolve(ROOT, s.build!.context);
      expect(fs.statSync(context).isDirectory()).toBe(true);
      expect(fs.existsSync(path.join(context, s.build!.dockerfile ?? 'Dockerfile'))).toBe(true);
      if (s.build!.target) expect(stages).toContain(s.build!.target);
    }
  });

  test('storage nodes set only environment variables the node reads', () => {
    for (const [name, s] of Object.entries(services).filter(([, s]) => isNode(s))) {
      const unknown = Object.keys(environmentOf(s)).filter((k) => !KNOWN_ENV.has(k));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
  });

  test('each node publishes its own AUDIUS_PORT on the same host port and listens on all interfaces', () => {
    for (const s of Object.values(services).filter(isNode)) {
      const env = environmentOf(s);
      expect(s.ports).toEqual([`${env.AUDIUS_PORT}:${env.AUDIUS_PORT}`]);
      expect(env.AUDIUS_LISTEN_HOST).toBe('0.0.0.0');
      expect(new URL(env.AUDIUS_HOST).port).toBe(env.AUDIUS_PORT);
    }
  });

  test('NATS_SERVER_URL names every NATS service of the file, on the client port', () => {
    const natsNames = Object.entries(services)
      .filter(([, s]) => isNats(s))
      .map(([n]) => n);
    expect(natsNames.length).toBeGreaterThan(0);
    for (const s of Object.values(services).filter(isNode)) {
      const urls = environmentOf(s)
        .NATS_SERVER_URL.split(',')
        .map((u) => new URL(u));
      expect(urls.map((u) => u.hostname).sort()).toEqual([...natsNames].sort());
      for (const u of urls) expect([u.protocol, u.port]).toEqual(['nats:', '4222']);
    }
  });

  test('every NATS server runs JetStream with a persistent store directory', () => {
    for (const s of Object.values(services).filter(isNats)) {
      expect(args(s)).toContain('-js');
      const dir = flag(s, '-sd');
      expect(s.volumes?.some((v) => v.endsWith(`:${dir}`))).toBe(true);
    }
  });

  test('storage_driver_url parses, points at the LocalStack service, and its bucket is created by the init script', () => {
    const created = bucketsCreatedByInit();
    for (const s of Object.values(services).filter(isNode)) {
      const url = parseBlobUrl(environmentOf(s).storage_driver_url, {});
      expect(url.scheme).toBe('s3');
      if (url.scheme !== 's3') continue;
      expect(new URL(url.endpoint!).hostname).toBe('localstack');
      expect(url.forcePathStyle).toBe(true);
      expect(created).toContain(url.bucket);
    }
  });

  test('LocalStack mounts the init hooks folder and nodes wait for it to be healthy', () => {
    const ls = services.localstack;
    expect(ls.volumes).toContain('./localstack/init/ready.d:/etc/localstack/init/ready.d:ro');
    expect(fs.existsSync(path.join(ROOT, 'localstack/init/ready.d/create-buckets.sh'))).toBe(true);
    for (const s of Object.values(services).filter(isNode)) {
      expect(s.depends_on?.localstack).toEqual({ condition: 'service_healthy' });
    }
  });

  test('every named volume used is declared', () => {
    const named = Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0])
      .filter((src) => src && !src.startsWith('.') && !src.startsWith('/'));
    for (const v of named) expect(Object.keys(compose.volumes ?? {})).toContain(v);
  });
});

// ---- the multi-node file ------------------------------------------------------------------

describe('docker-compose.v2.yml: the three-node cluster', () => {
  const { services } = loadCompose('docker-compose.v2.yml');
  const natsNames = Object.entries(services)
    .filter(([, s]) => isNats(s))
    .map(([n]) => n);

  test('three NATS 2.10 servers form one cluster whose routes name the other two', () => {
    expect(natsNames.sort()).toEqual(['com1', 'com2', 'com3']);
    const clusterNames = new Set(natsNames.map((n) => flag(services[n], '--cluster_name')));
    expect(clusterNames.size).toBe(1);
    for (const name of natsNames) {
      const s = services[name];
      expect(s.image).toBe('nats:2.10');
      const clusterPort = new URL(flag(s, '--cluster')!).port;
      const routes = flag(s, '--routes')!
        .split(',')
        .map((r) => new URL(r));
      expect(routes.map((r) => r.hostname).sort()).toEqual(natsNames.filter((n) => n !== name).sort());
      for (const r of routes) {
        expect(services[r.hostname]).toBeDefined();
        expect(new URL(flag(services[r.hostname], '--cluster')!).port).toBe(r.port);
        expect(r.port).toBe(clusterPort);
      }
    }
  });

  test('three storage nodes on host ports 9924, 9925, 9926 with R3 NATS and distinct buckets and names', () => {
    const nodes = Object.entries(services).filter(([, s]) => isNode(s));
    expect(nodes.map(([n]) => n).sort()).toEqual(['storage1', 'storage2', 'storage3']);
    const envs = nodes.map(([, s]) => environmentOf(s));
    expect(envs.map((e) => e.AUDIUS_PORT).sort()).toEqual(['9924', '9925', '9926']);
    for (const [name, s] of nodes) {
      const env = environmentOf(s);
      expect(env.AUDIUS_NATS_REPLICAS).toBe('3');
      expect(env.AUDIUS_DATA_DIR).toBe('/data');
      expect(env.AUDIUS_NODE_NAME).toBe(name);
      expect(new URL(env.AUDIUS_HOST).hostname).toBe(name);
      for (const nats of natsNames) expect(s.depends_on?.[nats]).toBeDefined();
    }
    const buckets = envs.map((e) => (parseBlobUrl(e.storage_driver_url, {}) as { bucket: string }).bucket);
    expect(new Set(buckets).size).toBe(3);
    expect(new Set(envs.map((e) => e.AUDIUS_NODE_NAME)).size).toBe(3);
  });
});

// ---- the dev file -------------------------------------------------------------------------

describe('docker-compose.v2.dev.yml: one node with hot reload', () => {
  const { services } = loadCompose('docker-compose.v2.dev.yml');

  test('one storage node and one NATS server', () => {
    expect(Object.values(services).filter(isNode)).toHaveLength(1);
    expect(Object.values(services).filter(isNats)).toHaveLength(1);
  });

  test('the source is mounted and rebuilt by tsc -w, and node restarts with --watch', () => {
    const node = Object.values(services).find(isNode)!;
    expect(node.volumes).toContain('./:/app');
    expect(node.volumes).toContain('/app/node_modules');
    const command = args(node).join(' ');
    expect(command).toContain('tsc -p tsconfig.build.json -w');
    expect(command).toContain('node --watch dist/bin/storage-node.js');
  });
});

// ---- Dockerfile and .dockerignore ---------------------------------------------------------

describe('Dockerfile', () => {
  const instructions = loadDockerfile();
  const runs = instructions.filter((i) => i.op === 'RUN').map((i) => i.args);

  test('builds from Node 20 on Debian', () => {
    const base = instructions.find((i) => i.op === 'FROM')!;
    expect(base.args).toMatch(/^node:20-(bookworm|bullseye|trixie)(-slim)?\b/);
  });

  test('installs ffmpeg and nats-server with apt-get', () => {
    const apt = runs.find((r) => r.includes('apt-get install'));
    expect(apt).toBeDefined();
    expect(apt).toMatch(/\bffmpeg\b/);
    expect(apt).toMatch(/\bnats-server\b/);
  });

  test('installs from the lockfile and builds', () => {
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    const copies = instructions.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copies).toContain('package.json package-lock.json ./');
    expect(fs.existsSync(path.join(ROOT, 'package-lock.json'))).toBe(true);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.build).toContain('tsconfig.build.json');
  });

  test('the final stage runs dist/bin/storage-node.js, which the build emits from bin/storage-node.ts', () => {
    const cmds = instructions.filter((i) => i.op === 'CMD');
    const last = cmds[cmds.length - 1];
    expect(JSON.parse(last.args)).toEqual(['node', 'dist/bin/storage-node.js']);
    // tsc (tsconfig.build.json: outDir dist, rootDir ., include bin) maps bin/x.ts to dist/bin/x.js.
    expect(fs.existsSync(path.join(ROOT, 'bin/storage-node.ts'))).toBe(true);
    const build = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
    };
    const base = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    expect(build.include).toContain('bin');
    expect(base.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: '.' });
  });

  test('every COPY --from names an earlier stage', () => {
    const seen = new Set<string>();
    for (const i of instructions) {
      if (i.op === 'FROM') seen.add(i.stage);
      const from = /--from=(\S+)/.exec(i.args)?.[1];
      if (i.op === 'COPY' && from) expect(seen).toContain(from);
    }
  });
});

describe('.dockerignore', () => {
  const patterns = fs
    .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  test('excludes node_modules, dist and .data', () => {
    expect(patterns).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data']));
  });

  test('keeps everything the build needs', () => {
    const needed = [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'serverless.yml',
      'bin',
      'shared',
      'functions',
      'scripts',
      'web',
    ];
    for (const name of needed) expect(patterns).not.toContain(name);
  });
});
