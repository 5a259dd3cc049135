import type { Hex } from 'viem' with { 'resolution-mode': 'import' };
import { randomKey } from '../harness/config';

/**
 * Signatures made the way the Audius network makes them, by an independent library (viem),
 * never by our signing code: `JSON.stringify` of key-sorted data, keccak256, EIP-191
 * personal-message signature over the 32 hash bytes (discovery's and the SDK's recipe).
 * viem ships ESM types: it is loaded with `import()`, so call `loadViem()` in beforeAll.
 */
type Viem = typeof import('viem', { with: { 'resolution-mode': 'import' } });
type ViemAccounts = typeof import('viem/accounts', { with: { 'resolution-mode': 'import' } });

let lib: { viem: Viem; accounts: ViemAccounts } | undefined;

export async function loadViem(): Promise<Viem> {
  lib ??= { viem: await import('viem'), accounts: await import('viem/accounts') };
  return lib.viem;
}

function viem(): { viem: Viem; accounts: ViemAccounts } {
  if (!lib) throw new Error('call loadViem() in beforeAll first');
  return lib;
}

export interface TestWallet {
  privateKey: Hex;
  /** Lower-case address, as viem derives it. */
  readonly address: string;
  /** The `?signature=` envelope for `data`. */
  envelope(data: Record<string, unknown>): Promise<string>;
  /** r‖s‖v of `text`'s keccak256, as the SDK signs it. */
  signHashOf(text: string): Promise<Hex>;
}

export function testWallet(hexKey = randomKey()): TestWallet {
  const privateKey: Hex = `0x${hexKey}`;
  const account = () => viem().accounts.privateKeyToAccount(privateKey);
  const signHashOf = (text: string) =>
    account().signMessage({ message: { raw: viem().viem.keccak256(viem().viem.toBytes(text)) } });
  return {
    privateKey,
    get address() {
      return account().address.toLowerCase();
    },
    signHashOf,
    envelope: async (data) => {
      const text = JSON.stringify(sortKeys(data));
      return JSON.stringify({ data: text, signature: await signHashOf(text) });
    },
  };
}

/** Key-sorted copy, as the SDK's `sortObjectKeys` does before signing. */
export function sortKeys(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(data)
      .sort()
      .map((k) => [k, data[k]]),
  );
}
