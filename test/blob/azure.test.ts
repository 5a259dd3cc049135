import { openBlobStore } from '../../shared/blob/open';
import { startAzurite, type Azurite } from '../harness/azurite';
import { expectCode, runBlobConformance } from './conformance';
import { randomId } from './streams';

/** The Azure driver against Azurite's blob service, started here on loopback. */
const container = `conf-${randomId()}`;
let azurite: Azurite;

beforeAll(async () => {
  azurite = await startAzurite({ containers: [container] });
});

afterAll(async () => {
  await azurite?.stop();
});

runBlobConformance('azblob (Azurite)', () => openBlobStore(`azblob://${container}`, { env: azurite.env }));

describe('azblob driver specifics (Azurite)', () => {
  test('a missing container fails the start-up check with BAD_CONFIG naming it', async () => {
    const err = await openBlobStore('azblob://no-such-container', { env: azurite.env }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'BAD_CONFIG' });
    expect((err as Error).message).toContain(
      '"no-such-container" (AZURE_STORAGE_CONNECTION_STRING) does not exist',
    );
  });

  test('a wrong account key fails the start-up check with BAD_CONFIG', async () => {
    const wrong = azurite.connectionString.replace(
      /AccountKey=[^;]+/,
      `AccountKey=${Buffer.from('wrong key').toString('base64')}`,
    );
    const err = await openBlobStore(`azblob://${container}`, {
      env: { AZURE_STORAGE_CONNECTION_STRING: wrong },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_CONFIG' });
    expect((err as Error).message).toMatch(/access denied/);
  });

  test('no Azure variables at all is BAD_CONFIG at open, naming what to set', async () => {
    const err = await openBlobStore(`azblob://${container}`, { env: {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_CONFIG' });
    expect((err as Error).message).toContain('AZURE_STORAGE_ACCOUNT');
  });

  test('half a service principal is BAD_CONFIG naming the missing variables', async () => {
    const env = { AZURE_STORAGE_ACCOUNT: 'acct', AZURE_CLIENT_ID: 'id' };
    const err = await openBlobStore(`azblob://${container}`, { env, check: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_CONFIG' });
    expect((err as Error).message).toContain('AZURE_CLIENT_SECRET and AZURE_TENANT_ID');
  });

  test('a stopped endpoint is STORAGE_UNAVAILABLE', async () => {
    const dead = azurite.connectionString.replace(
      /BlobEndpoint=[^;]+/,
      'BlobEndpoint=http://127.0.0.1:9/devstoreaccount1',
    );
    await expectCode(
      openBlobStore(`azblob://${container}`, { env: { AZURE_STORAGE_CONNECTION_STRING: dead } }),
      'STORAGE_UNAVAILABLE',
    );
  });
});
