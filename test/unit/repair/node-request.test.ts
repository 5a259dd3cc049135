import { checkNodeMac, macNodeRequest, NODE_MAC_HEADER } from '../../../shared/access/node-mac';
import {
  checkNodeHeaders,
  nodeRequestMessage,
  signNodeRequest,
  verifyNodeRequest,
} from '../../../shared/access/node-request';
import { identityFromHex, publicKeyHex } from '../../../shared/identity/wallet';
import { randomKey } from '../../harness/config';

/** Node-to-node signatures (DESIGN §10): what is signed, and every way a request is refused. */
describe('node request signatures', () => {
  const node = identityFromHex('0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
  const callee = '0x' + 'ab'.repeat(20);
  const now = 1_800_000_000_000;
  const path = '/storage/internal/shards?s=mkx';
  const headers = signNodeRequest(node, { method: 'GET', path, to: callee, timestamp: now });
  const verify = (h: Record<string, string>, p = path, at = now, method = 'GET', to = callee) =>
    verifyNodeRequest(h, { method, path: p, to, windowMs: 60_000, now: at });

  test('a fresh signature recovers the signing node', () => {
    expect(verify(headers)).toEqual({ signer: '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23' });
    expect(verify(headers, path, now + 59_000)).toEqual({ signer: node.address });
  });

  test.each([
    ['no headers', {}, path, now, 'GET', callee, 'NODE_SIGNATURE_MISSING'],
    ['another path', headers, '/storage/internal/shards?s=abc', now, 'GET', callee, 'NODE_SIGNATURE_INVALID'],
    ['another method', headers, path, now, 'POST', callee, 'NODE_SIGNATURE_INVALID'],
    ['another callee', headers, path, now, 'GET', '0x' + 'cd'.repeat(20), 'NODE_SIGNATURE_WRONG_RECIPIENT'],
    [
      'a recipient header changed to this node',
      { ...headers, 'x-storage-recipient': '0x' + 'cd'.repeat(20) },
      path,
      now,
      'GET',
      '0x' + 'cd'.repeat(20),
      'NODE_SIGNATURE_INVALID',
    ],
    ['too old', headers, path, now + 61_000, 'GET', callee, 'NODE_SIGNATURE_EXPIRED'],
    ['from the future', headers, path, now - 61_000, 'GET', callee, 'NODE_SIGNATURE_EXPIRED'],
    [
      'a short signature',
      { ...headers, 'x-storage-signature': '0xabcd' },
      path,
      now,
      'GET',
      callee,
      'NODE_SIGNATURE_MALFORMED',
    ],
    [
      'a timestamp that is not a number',
      { ...headers, 'x-storage-timestamp': '12a' },
      path,
      now,
      'GET',
      callee,
      'NODE_SIGNATURE_MALFORMED',
    ],
    [
      'a claimed signer that did not sign',
      { ...headers, 'x-storage-signer': '0x' + '1'.repeat(40) },
      path,
      now,
      'GET',
      callee,
      'NODE_SIGNATURE_INVALID',
    ],
  ])('%s is refused', (_what, h, p, at, method, to, code) => {
    expect(verify(h as Record<string, string>, p, at, method, to)).toMatchObject({ code });
  });
});

describe('node request MACs (the fast proof)', () => {
  const a = identityFromHex(randomKey());
  const b = identityFromHex(randomKey());
  const path = '/storage/internal/blob/cle4h8b1g000101q8l4tz2mkx_1.jpg';
  const now = Date.now();
  const message = (p = path, to = b.address) =>
    nodeRequestMessage({ method: 'GET', path: p, to, timestamp: now });

  test('a MAC made by A for B checks out at B, with the key each derives on its own side', () => {
    const headers = macNodeRequest(a, publicKeyHex(b), {
      method: 'GET',
      path,
      to: b.address,
      timestamp: now,
    })!;
    expect(checkNodeHeaders(headers, { to: b.address, windowMs: 60_000 }, headers[NODE_MAC_HEADER])).toEqual({
      signer: a.address,
      timestamp: now,
    });
    expect(checkNodeMac(b, a.address, publicKeyHex(a), message(), headers[NODE_MAC_HEADER])).toBeNull();
  });

  test.each([
    ['another path', () => message('/storage/internal/blob/other'), () => publicKeyHex(a)],
    ['another recipient', () => message(path, a.address), () => publicKeyHex(a)],
    [
      'a published key that is not the signer’s',
      () => message(),
      () => publicKeyHex(identityFromHex(randomKey())),
    ],
    ['no published key', () => message(), () => undefined],
  ])('%s is refused', (_what, msg, key) => {
    const headers = macNodeRequest(a, publicKeyHex(b), {
      method: 'GET',
      path,
      to: b.address,
      timestamp: now,
    })!;
    expect(checkNodeMac(b, a.address, key(), msg(), headers[NODE_MAC_HEADER])).toMatchObject({
      code: 'NODE_SIGNATURE_INVALID',
    });
  });

  test('no MAC can be made for a key that does not belong to the address called', () => {
    expect(macNodeRequest(a, publicKeyHex(a), { method: 'GET', path, to: b.address })).toBeNull();
  });
});
