import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { parseBlobUrl } from '../../shared/blob/url';
import { loadManifest, parseRate, resolveEnvVariables } from '../../shared/runtime/manifest';
import { PROJECT_ROOT } from '../../shared/paths';

/**
 * What `npm run package:aws` wrote (.serverless/), checked function by function against
 * serverless.yml: the Lambda, its HTTP API route or EventBridge rule, its environment, timeout
 * and memory, the IAM role's reach, and what each zip carries. `npm run test:cloud` packages
 * first, then runs this file.
 */
const OUT = path.join(PROJECT_ROOT, '.serverless');
const { zipEntries } = require('../../scripts/zip-entries') as {
  zipEntries(file: string): { name: string; size: number; mode: number }[];
};

type Resources = Record<string, { Type: string; Properties: any }>;

const templateFile = path.join(OUT, 'cloudformation-template-update-stack.json');
if (!fs.existsSync(templateFile)) {
  throw new Error('no .serverless/cloudformation-template-update-stack.json: run `npm run test:cloud`');
}
const template = JSON.parse(fs.readFileSync(templateFile, 'utf8')) as { Resources: Resources };
const resources = template.Resources;
const manifest = loadManifest(undefined, { ...process.env, AUDIUS_REPAIR_EVERY: '', AUDIUS_SCRUB_EVERY: '' });
const yml = parse(
  resolveEnvVariables(fs.readFileSync(path.join(PROJECT_ROOT, 'serverless.yml'), 'utf8'), {}),
);
const BUCKET = process.env.AUDIUS_S3_BUCKET || 'audius-storage';

/** osls's logical ids: `health` → `Health`. */
const logical = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('the packaged CloudFormation template', () => {
  test.each(manifest.functions.map((f) => [f.name, f]))('%s: the Lambda function', (name, spec) => {
    const fn = resources[`${logical(name)}LambdaFunction`];
    expect(fn?.Type).toBe('AWS::Lambda::Function');
    const p = fn.Properties;
    expect(p.FunctionName).toBe(`storage-v2-dev-${name}`);
    expect(p.Handler).toBe(yml.functions[name].handler);
    expect(p.Runtime).toBe('nodejs20.x');
    expect(p.Architectures).toEqual(['x86_64']);
    expect(p.Timeout).toBe(spec.timeoutSeconds ?? 29);
    expect(p.MemorySize).toBe(yml.functions[name].memorySize ?? 512);
    expect(p.Code.S3Key).toMatch(new RegExp(`/${name}\\.zip$`));
    // The environment every function reads its configuration from (serverless.yml's provider block).
    const env = p.Environment.Variables as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual(Object.keys(yml.provider.environment).sort());
    expect(env.AUDIUS_DATA_DIR).toMatch(/^\/tmp\//); // /var/task is read-only
    expect(env.AUDIUS_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    // The bucket the functions store in is the one the role may touch.
    const store = parseBlobUrl(env.storage_driver_url, {});
    expect(store.scheme).toBe('s3');
    expect((store as { bucket: string }).bucket).toBe(BUCKET);
  });

  test.each(manifest.functions.filter((f) => f.http.length > 0).map((f) => [f.name, f]))(
    '%s: on the HTTP API with its route, within API Gateway’s 30 s',
    (name, spec) => {
      for (const trigger of spec.http) {
        const routes = ofType('AWS::ApiGatewayV2::Route').filter(
          ([, r]) => r.Properties.RouteKey === `${trigger.method} ${trigger.path}`,
        );
        expect(routes).toHaveLength(1);
        const integration = routes[0][1].Properties.Target['Fn::Join'][1][1].Ref as string;
        const uri = resources[integration].Properties.IntegrationUri;
        expect(uri).toEqual({ 'Fn::GetAtt': [`${logical(name)}LambdaFunction`, 'Arn'] });
        expect(resources[integration].Properties.PayloadFormatVersion).toBe('2.0');
      }
      expect(resources[`${logical(name)}LambdaFunction`].Properties.Timeout).toBeLessThanOrEqual(30);
    },
  );

  test('no route is on the HTTP API that serverless.yml does not list', () => {
    const listed = manifest.functions.flatMap((f) => f.http.map((h) => `${h.method} ${h.path}`)).sort();
    const routes = ofType('AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties.RouteKey as string)
      .sort();
    expect(routes).toEqual(listed);
  });

  test.each(manifest.functions.filter((f) => f.schedules.length > 0).map((f) => [f.name, f]))(
    '%s: its schedule is an EventBridge rule targeting it',
    (name, spec) => {
      const rules = ofType('AWS::Events::Rule').filter(([, r]) =>
        r.Properties.Targets.some(
          (t: { Arn: unknown }) =>
            JSON.stringify(t.Arn) ===
            JSON.stringify({ 'Fn::GetAtt': [`${logical(name)}LambdaFunction`, 'Arn'] }),
        ),
      );
      expect(rules.map(([, r]) => parseRate(r.Properties.ScheduleExpression))).toEqual(
        spec.schedules.map((s) => s.everyMs),
      );
      expect(rules.every(([, r]) => r.Properties.State === 'ENABLED')).toBe(true);
    },
  );

  test('NATS-triggered functions have no AWS trigger (the bridge invokes them) and room to work', () => {
    const natsFunctions = manifest.functions.filter((f) => f.nats.length > 0);
    expect(natsFunctions.map((f) => f.name).sort()).toEqual(
      ['storeResults', 'transcodeAudio', 'transcodeImgBackdrop', 'transcodeImgSquare'].sort(),
    );
    for (const f of natsFunctions) {
      const arn = JSON.stringify({ 'Fn::GetAtt': [`${logical(f.name)}LambdaFunction`, 'Arn'] });
      const wired = Object.values(resources).filter(
        (r) => r.Type !== 'AWS::Lambda::Version' && JSON.stringify(r.Properties).includes(arn),
      );
      expect(wired).toEqual([]);
      const p = resources[`${logical(f.name)}LambdaFunction`].Properties;
      expect(p.Timeout).toBeGreaterThanOrEqual(300);
      expect(p.MemorySize).toBeGreaterThanOrEqual(1024);
    }
    expect(resources.TranscodeAudioLambdaFunction.Properties.MemorySize).toBeGreaterThanOrEqual(1769); // 1 vCPU
  });

  test('IAM: logs, and the one bucket with only the S3 actions the functions use', () => {
    const role = ofType('AWS::IAM::Role');
    expect(role).toHaveLength(1);
    const statements = role[0][1].Properties.Policies.flatMap(
      (p: { PolicyDocument: { Statement: any[] } }) => p.PolicyDocument.Statement,
    ) as { Effect: string; Action: string[]; Resource: unknown }[];
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    const s3 = statements.filter((s) => s.Action.some((a) => a.startsWith('s3:')));
    expect(s3).toEqual([
      {
        Effect: 'Allow',
        Action: [
          's3:GetObject',
          's3:PutObject',
          's3:DeleteObject',
          's3:AbortMultipartUpload',
          's3:ListMultipartUploadParts',
        ],
        Resource: `arn:aws:s3:::${BUCKET}/*`,
      },
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: `arn:aws:s3:::${BUCKET}` },
    ]);
    const other = statements.filter((s) => !s3.includes(s));
    expect(other.flatMap((s) => s.Action).every((a) => a.startsWith('logs:'))).toBe(true);
    expect(JSON.stringify(statements)).not.toContain('"*"');
  });
});

describe('the function bundles', () => {
  const zips = Object.fromEntries(
    manifest.functions.map((f) => [f.name, zipEntries(path.join(OUT, `${f.name}.zip`))]),
  );
  const unzipped = (name: string) => zips[name].reduce((sum, e) => sum + e.size, 0);

  test.each(manifest.functions.map((f) => [f.name]))(
    '%s: one bundle, its handler, serverless.yml',
    (name) => {
      const handlerFile = `${yml.functions[name].handler.replace(/\.[^.]+$/, '')}.js`;
      // (dist/web/ holds the dashboard's own browser assets, which the web functions serve.)
      const js = zips[name].filter(
        (e) => e.name.startsWith('dist/') && !e.name.startsWith('dist/web/') && e.name.endsWith('.js'),
      );
      expect(js.map((e) => e.name)).toEqual([handlerFile]);
      expect(zips[name].some((e) => e.name === 'serverless.yml')).toBe(true);
      // Lambda's limit for an unzipped function is 250 MB.
      expect(unzipped(name)).toBeLessThan(250e6);
    },
  );

  // Upload intake only sniffs bytes; sharp runs in the image steps alone.
  test('HTTP functions stay small and carry no native code', () => {
    for (const f of manifest.functions.filter((s) => s.http.length > 0)) {
      expect(unzipped(f.name)).toBeLessThan(3e6);
      expect(zips[f.name].some((e) => e.name.startsWith('node_modules/'))).toBe(false);
    }
  });

  test.each([['transcodeImgSquare'], ['transcodeImgBackdrop'], ['transcodeAudio']])(
    '%s: sharp with its Linux x64 binary and libvips',
    (name) => {
      const names = zips[name].map((e) => e.name);
      expect(names).toContain('node_modules/sharp/package.json');
      expect(
        names.some((n) =>
          /^node_modules\/@img\/sharp-linux-x64\/lib\/sharp-linux-x64(-[\d.]+)?\.node$/.test(n),
        ),
      ).toBe(true);
      expect(
        names.some((n) => /^node_modules\/@img\/sharp-libvips-linux-x64\/lib\/libvips-cpp\.so/.test(n)),
      ).toBe(true);
    },
  );

  test('transcodeAudio: static ffmpeg and ffprobe, executable by the Lambda user', () => {
    for (const binary of [
      'node_modules/@ffmpeg-installer/linux-x64/ffmpeg',
      'node_modules/@ffprobe-installer/linux-x64/ffprobe',
    ]) {
      const entry = zips.transcodeAudio.find((e) => e.name === binary);
      expect(entry?.size).toBeGreaterThan(10e6);
      expect(entry!.mode & 0o555).toBe(0o555);
    }
  });
});
