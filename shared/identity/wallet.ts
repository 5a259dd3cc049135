import fs from 'node:fs';
import path from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { StorageError } from '../errors';

/** A node's identity (DESIGN §3): its delegate wallet. The address is the node id. */
export interface Identity {
  /** Lower-case `0x…` Ethereum address. */
  address: string;
  privateKey: Uint8Array;
}

const KEY_FILE = 'delegate.key';

/** Ethereum address of an uncompressed (65-byte) public key: last 20 bytes of keccak256(x‖y). */
export function publicKeyAddress(uncompressed: Uint8Array): string {
  return '0x' + bytesToHex(keccak_256(uncompressed.slice(1)).slice(-20));
}

/** Ethereum address of a secp256k1 private key. */
export function addressOf(privateKey: Uint8Array): string {
  return publicKeyAddress(secp256k1.getPublicKey(privateKey, false));
}

export function identityFromHex(hex: string): Identity {
  const clean = hex.trim().replace(/^0x/, '');
  if (!/^[0-9a-fA-F]{64}$/.test(clean)) {
    throw new StorageError('BAD_CONFIG', 'AUDIUS_DELEGATE_PRIVATE_KEY must be 32 bytes of hex');
  }
  const privateKey = hexToBytes(clean.toLowerCase());
  if (!secp256k1.utils.isValidPrivateKey(privateKey)) {
    throw new StorageError('BAD_CONFIG', 'AUDIUS_DELEGATE_PRIVATE_KEY is not a valid secp256k1 key');
  }
  return { address: addressOf(privateKey), privateKey };
}

/**
 * The configured key, or the one persisted in the data dir, or a new one written there
 * (mode 0600) so a restarted node keeps its id.
 */
export function loadIdentity(configuredHex: string, dataDir: string): Identity {
  if (configuredHex) return identityFromHex(configuredHex);
  const file = path.join(dataDir, KEY_FILE);
  if (fs.existsSync(file)) return identityFromHex(fs.readFileSync(file, 'utf8'));
  fs.mkdirSync(dataDir, { recursive: true });
  const hex = newPrivateKeyHex();
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, hex + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
  return identityFromHex(hex);
}

/** Uncompressed public key, hex: what the node's membership record publishes (node-to-node MACs). */
export function publicKeyHex(identity: Identity): string {
  return bytesToHex(secp256k1.getPublicKey(identity.privateKey, false));
}

/** A fresh delegate key, hex (always in the curve's range). */
export function newPrivateKeyHex(): string {
  return bytesToHex(secp256k1.utils.randomPrivateKey());
}
