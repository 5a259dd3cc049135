import { identityFromHex, publicKeyHex } from '../../../shared/identity/wallet';
import { hostUrlProblem } from '../../../shared/membership/host-url';
import { signRecord, verifyRecord } from '../../../shared/membership/signed-record';
import type { NodeRecord } from '../../../shared/membership/types';
import { randomKey } from '../../harness/config';

const node = identityFromHex(randomKey());
const other = identityFromHex(randomKey());
const NOW = Date.parse('2026-12-02T07:00:00.000Z');

function record(over: Partial<NodeRecord> = {}): NodeRecord {
  return {
    nodeId: node.address,
    publicKey: publicKeyHex(node),
    host: 'http://10.0.0.5:9924',
    version: '1.0.0',
    capacity: 100,
    used: 10,
    weight: 1,
    lastOk: new Date(NOW).toISOString(),
    startedAt: new Date(NOW - 60_000).toISOString(),
    shardCount: 5,
    ringFingerprint: 'abc',
    jobsDone: 0,
    ...over,
  };
}

const check = (over: Partial<Parameters<typeof verifyRecord>[1]> = {}) => ({
  key: node.address,
  serverTimeMs: NOW + 300,
  windowMs: 60_000,
  ...over,
});

/** Re-serialises a signed value with one field changed, keeping the signature. */
function tamper(value: string, change: Record<string, unknown>): string {
  return JSON.stringify({ ...JSON.parse(value), ...change });
}

describe('signed membership records', () => {
  test('a record signed by its node verifies and comes back field for field', () => {
    const verdict = verifyRecord(signRecord(node, record()), check());
    expect(verdict).toEqual({ record: record() });
  });

  test('fields the signer does not know of (a later weight / draining) are covered too', () => {
    const value = signRecord(node, { ...record(), draining: true } as NodeRecord);
    expect('record' in verifyRecord(value, check())).toBe(true);
    expect(verifyRecord(tamper(value, { draining: false }), check())).toMatchObject({
      rejected: 'wrong_key',
    });
    expect(verifyRecord(tamper(value, { extra: 1 }), check())).toMatchObject({ rejected: 'wrong_key' });
  });

  test.each([
    ['weight', { weight: 1000 }],
    ['host', { host: 'http://evil.example:80' }],
    ['leaving', { leaving: true }],
    ['publicKey', { publicKey: publicKeyHex(other) }],
  ])('a changed %s breaks the signature', (_field, change) => {
    const verdict = verifyRecord(tamper(signRecord(node, record()), change), check());
    expect(verdict).toMatchObject({ rejected: 'wrong_key' });
  });

  test('an unsigned record, a malformed signature, and non-JSON are refused with their reason', () => {
    expect(verifyRecord(JSON.stringify(record()), check())).toMatchObject({ rejected: 'unsigned' });
    expect(verifyRecord(JSON.stringify({ ...record(), signature: '0x1234' }), check())).toMatchObject({
      rejected: 'bad_signature',
    });
    expect(verifyRecord('{not json', check())).toMatchObject({ rejected: 'malformed' });
    expect(verifyRecord('[1,2]', check())).toMatchObject({ rejected: 'malformed' });
    expect(verifyRecord('x'.repeat(70_000), check())).toMatchObject({ rejected: 'too_large' });
  });

  test("another key's record under this node's id is refused (impersonation)", () => {
    const forged = signRecord(other, record({ nodeId: node.address }));
    expect(verifyRecord(forged, check())).toMatchObject({ rejected: 'wrong_key' });
    // Signed by its own key, but filed under someone else's id.
    const misfiled = signRecord(other, record({ nodeId: other.address }));
    expect(verifyRecord(misfiled, check())).toMatchObject({ rejected: 'wrong_key' });
  });

  test('a signed host that peers must not use is refused', () => {
    const value = signRecord(node, record({ host: 'http://user:pw@10.0.0.5:9924' }));
    expect(verifyRecord(value, check())).toMatchObject({ rejected: 'bad_host' });
  });

  test('a replayed record — outside the window, or not newer than the last taken — is refused', () => {
    const value = signRecord(node, record());
    expect(verifyRecord(value, check({ serverTimeMs: NOW + 61_000 }))).toMatchObject({ rejected: 'stale' });
    expect(verifyRecord(value, check({ previousLastOkMs: NOW }))).toMatchObject({ rejected: 'stale' });
    expect('record' in verifyRecord(value, check({ previousLastOkMs: NOW - 3000 }))).toBe(true);
  });
});

describe('host URLs', () => {
  test.each([
    'http://10.0.0.5:9924',
    'https://storage.example.com',
    'http://[::1]:9924',
    'http://127.0.0.1:9924',
  ])('%s is a host', (url) => expect(hostUrlProblem(url)).toBeNull());

  test.each([
    ['', 'is empty'],
    ['ftp://a.example', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['http://user:pw@a.example', 'credentials'],
    ['http://user@a.example', 'credentials'],
    ['http://a.example?x=1', 'query'],
    ['http://a.example/#frag', 'fragment'],
    ['http://a.example#frag', 'fragment'],
    ['http://a.example/storage', 'path'],
    ['http://a.example/', 'path'],
    ['not a url', 'not a URL'],
    ['http://' + 'a'.repeat(600) + '.example', 'longer'],
  ])('%j is refused (%s)', (url, why) => expect(hostUrlProblem(url)).toContain(why));
});
