import { loadConfig } from '../../../shared/config';
import { UploadAdmission } from '../../../shared/http/upload-admission';

const MIB = 1024 * 1024;
const config = loadConfig({
  AUDIUS_UPLOADS_PER_CLIENT: '2',
  AUDIUS_UPLOADS_PER_CLIENT_PER_MINUTE: '3',
  AUDIUS_UPLOAD_IN_FLIGHT_BYTES: String(10 * MIB),
  AUDIUS_MAX_UPLOAD_BYTES: String(8 * MIB),
});

/** An admission on a clock the test sets; `at` admits (returning the release) or names the refusal. */
function admission() {
  let now = 0;
  const a = new UploadAdmission(config, () => now);
  return (t: number, client: string, bytes: number | undefined): (() => void) | string => {
    now = t;
    try {
      return a.admit(client, bytes);
    } catch (err) {
      return (err as { code: string }).code;
    }
  };
}

describe('upload admission', () => {
  test('per client: at most 2 in flight; a released slot is free again, once', () => {
    const at = admission();
    const first = at(0, '1.1.1.1', 10) as () => void;
    expect(typeof at(1, '1.1.1.1', 10)).toBe('function');
    expect(at(2, '1.1.1.1', 10)).toBe('TOO_MANY_UPLOADS');
    expect(typeof at(2, '2.2.2.2', 10)).toBe('function');
    first();
    first();
    expect(typeof at(3, '1.1.1.1', 10)).toBe('function');
    expect(at(4, '1.1.1.1', 10)).toBe('TOO_MANY_UPLOADS');
  });

  test('per client: at most 3 started a minute, then again after the minute', () => {
    const at = admission();
    for (const t of [0, 1, 2]) (at(t, '1.1.1.1', 10) as () => void)();
    expect(at(30_000, '1.1.1.1', 10)).toBe('TOO_MANY_UPLOADS');
    expect(typeof at(60_001, '1.1.1.1', 10)).toBe('function');
  });

  test('per node: in-flight bytes past the limit are UPLOADS_BUSY; one upload alone always fits', () => {
    const at = admission();
    const big = at(0, '1.1.1.1', 6 * MIB) as () => void;
    expect(at(0, '2.2.2.2', 5 * MIB)).toBe('UPLOADS_BUSY');
    // No Content-Length counts as the largest file (8 MiB).
    expect(at(0, '3.3.3.3', undefined)).toBe('UPLOADS_BUSY');
    big();
    expect(typeof at(0, '3.3.3.3', undefined)).toBe('function');
    expect(at(0, '4.4.4.4', 3 * MIB)).toBe('UPLOADS_BUSY');
  });
});
