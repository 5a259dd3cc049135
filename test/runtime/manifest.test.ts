import { loadManifest, parseRate, toFastifyPath } from '../../shared/runtime/manifest';
import { exportedHandler, httpRouteOf } from '../../shared/runtime/load-function';

describe('serverless.yml as the function list', () => {
  const manifest = loadManifest();

  test('every HTTP function module exports the route serverless.yml declares, and a Lambda handler', () => {
    const http = manifest.functions.filter((f) => f.http.length > 0);
    expect(http.map((f) => f.name)).toContain('health');
    for (const spec of http) {
      const route = httpRouteOf(spec);
      expect(spec.http.map((t) => `${t.method} ${toFastifyPath(t.path)}`)).toEqual([
        `${route.method} ${route.url}`,
      ]);
      expect(typeof exportedHandler(spec)).toBe('function');
    }
  });

  test('every NATS-triggered and scheduled function exports its handler', () => {
    for (const spec of manifest.functions.filter((f) => f.nats.length > 0 || f.schedules.length > 0)) {
      expect(typeof exportedHandler(spec)).toBe('function');
      for (const t of spec.nats) {
        expect(t.maxAttempts).toBeGreaterThanOrEqual(1);
        expect(t.concurrency).toBeGreaterThanOrEqual(1);
      }
    }
  });

  test('rates and paths translate', () => {
    expect(parseRate('rate(5 minutes)')).toBe(300_000);
    expect(parseRate('rate(1 hour)')).toBe(3_600_000);
    expect(() => parseRate('cron(0 12 * * ? *)')).toThrow(/unsupported schedule/);
    expect(toFastifyPath('/storage/jobs/{id}')).toBe('/storage/jobs/:id');
    expect(toFastifyPath('/storage/weather/{proxy+}')).toBe('/storage/weather/*');
  });
});
