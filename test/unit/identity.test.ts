import fs from 'node:fs';
import path from 'node:path';
import { identityFromHex, loadIdentity } from '../../shared/identity/wallet';
import { tempDir } from '../harness/temp';

describe('node identity (delegate wallet)', () => {
  test('a known key gives its known Ethereum address, lower case', () => {
    // The key/address pair from the web3.js accounts documentation.
    const id = identityFromHex('0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
    expect(id.address).toBe('0x2c7536e3605d9c16a7a3d7b1898e529396a65c23');
  });

  test('without a configured key one is generated, persisted 0600, and reused after a restart', () => {
    const temp = tempDir('identity');
    try {
      const first = loadIdentity('', temp.dir);
      const file = path.join(temp.dir, 'delegate.key');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(loadIdentity('', temp.dir).address).toBe(first.address);
      expect(first.address).toMatch(/^0x[0-9a-f]{40}$/);
    } finally {
      temp.remove();
    }
  });

  test('a malformed key is one clear BAD_CONFIG error', () => {
    expect(() => identityFromHex('xyz')).toThrow(expect.objectContaining({ code: 'BAD_CONFIG' }));
    expect(() => identityFromHex('0'.repeat(64))).toThrow(/not a valid secp256k1 key/);
  });
});
