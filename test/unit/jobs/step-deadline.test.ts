import { isStorageError } from '../../../shared/errors';
import { abandonAfterAbort } from '../../../shared/jobs/step-deadline';

/** A promise that never settles: a client-library call lost in a server failover. */
const hung = () => new Promise<never>(() => undefined);

describe('abandonAfterAbort: a step attempt ends within its timeout plus a grace', () => {
  test('work that hangs past its abort is given up grace ms after the abort, with a reason', async () => {
    const started = Date.now();
    const err = await abandonAfterAbort(AbortSignal.timeout(50), hung(), 100).catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(isStorageError(err) && err.code).toBe('TRANSCODE_FAILED');
    expect((err as Error).message).toMatch(
      /did not stop within 0\.1 s of its abort \(.*due to timeout\); given up/,
    );
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(2000);
  });

  test('work that honours the abort ends with its own error, not the give-up', async () => {
    const controller = new AbortController();
    const work = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(new Error('stopped on abort'))),
    );
    setTimeout(() => controller.abort(), 10);
    await expect(abandonAfterAbort(controller.signal, work, 60_000)).rejects.toThrow('stopped on abort');
  });

  test('work that finishes is answered as it is, and an already aborted signal still gets its grace', async () => {
    await expect(abandonAfterAbort(new AbortController().signal, Promise.resolve(42), 10)).resolves.toBe(42);
    const aborted = AbortSignal.abort(new Error('shutdown'));
    const late = new Promise<string>((resolve) => setTimeout(() => resolve('finished in its grace'), 20));
    await expect(abandonAfterAbort(aborted, late, 5_000)).resolves.toBe('finished in its grace');
    await expect(abandonAfterAbort(aborted, hung(), 20)).rejects.toThrow(/\(shutdown\); given up/);
  });

  test('an abandoned attempt that fails later raises no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('late failure')), 50));
      await expect(abandonAfterAbort(AbortSignal.abort(), late, 10)).rejects.toThrow(/given up/);
      await new Promise((r) => setTimeout(r, 100)); // the late failure has happened by now
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
