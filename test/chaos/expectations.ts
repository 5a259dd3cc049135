import type { ChaosFigures } from './figures';

/**
 * Issue 15's targets, checked the same way by the long run and the smoke: no acknowledged
 * upload lost, every job ended (an error with a reason), no request answered 500, and every
 * refusal one a client can act on (429, 503 or 507 with Retry-After).
 */
export function expectTargets(f: ChaosFigures, minAcknowledged: number): void {
  expect(f.answered500).toBe(0);
  expect(f.lost).toEqual([]);
  expect(f.stuck).toEqual([]);
  expect(f.jobs.errorReasons['(no reason)']).toBeUndefined();
  expect(f.jobs.done + f.jobs.error).toBe(f.acknowledged);
  expect(f.repairMs).not.toBeNull();
  for (const refusal of Object.keys(f.refused)) expect(refusal).toMatch(/^(429|503|507) /);
  expect(f.refusedWithoutRetryAfter).toBe(0);
  // The faults struck while uploads were still being sent, and most were still taken.
  expect(f.faults.nodeKilledAtMs).toBeGreaterThanOrEqual(0);
  expect(f.faults.natsBackAtMs).toBeGreaterThan(f.faults.natsKilledAtMs);
  expect(f.acknowledged).toBeGreaterThanOrEqual(minAcknowledged);
}
