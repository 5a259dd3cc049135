import { loadConfig, type Config } from '../../shared/config';
import { newPrivateKeyHex } from '../../shared/identity/wallet';

/** Config of an in-process test node: its own data dir, file store and a fresh key. */
export function testConfig(natsUrls: string[], dir: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NATS_SERVER_URL: natsUrls.join(','),
    AUDIUS_PORT: '0',
    AUDIUS_DATA_DIR: `${dir}/data`,
    storage_driver_url: `file://${dir}/blobs`,
    AUDIUS_DELEGATE_PRIVATE_KEY: randomKey(),
    AUDIUS_NODE_NAME: 'test',
    AUDIUS_TEMP_BUCKETS: '2',
    AUDIUS_GATED_VARIANTS: 'none',
    AUDIUS_UPLOAD_MODE: 'open',
    ...overrides,
  });
}

export function randomKey(): string {
  return newPrivateKeyHex();
}
