import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openBlobStore } from '../../shared/blob/open';
import { expectCode, runBlobConformance } from './conformance';

/**
 * The GCS driver needs the real service: the Firebase Storage emulator cannot serve here (it
 * downloads its rules runtime from Google at first start, and it ignores the `startOffset` the
 * cursor uses; README "Blob storage"). With credentials and a bucket it runs the whole
 * conformance suite; without, the run is a skip that says why (DESIGN §6 / brief).
 */
const credentials = process.env.GOOGLE_APPLICATION_CREDENTIALS;
const bucket = process.env.STORAGE_TEST_GCS_BUCKET;
const SKIP_REASON = 'GCS conformance skipped: set GOOGLE_APPLICATION_CREDENTIALS and STORAGE_TEST_GCS_BUCKET';

if (credentials && bucket) {
  runBlobConformance('gcs', () => openBlobStore(`gcs://${bucket}`));
} else {
  describe('gcs: BlobStore conformance', () => {
    console.warn(SKIP_REASON);
    test.skip(SKIP_REASON, () => undefined);
  });
}

describe('gcs driver start-up errors (no network)', () => {
  test('GOOGLE_APPLICATION_CREDENTIALS naming a missing file is BAD_CONFIG naming it', async () => {
    const missing = path.join(os.tmpdir(), 'no-such-key-file.json');
    const err = await openBlobStore('gcs://some-bucket', {
      env: { GOOGLE_APPLICATION_CREDENTIALS: missing },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'BAD_CONFIG',
      message: `gcs: GOOGLE_APPLICATION_CREDENTIALS=${missing}: no such file`,
    });
  });

  test('gs:// is the same driver as gcs://', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gcs-key-'));
    try {
      const keyFile = path.join(dir, 'key.json');
      await fs.writeFile(keyFile, '{}');
      const store = await openBlobStore('gs://some-bucket', {
        env: { GOOGLE_APPLICATION_CREDENTIALS: keyFile },
        check: false,
      });
      expect(store.scheme).toBe('gcs');
      expect(store.displayUrl).toBe('gcs://some-bucket');
      expect(store.abilities).toEqual({ copy: true });
      await store.close();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('gcs:// takes no query options', async () => {
    await expectCode(openBlobStore('gcs://some-bucket?region=x', { check: false }), 'BAD_CONFIG');
  });
});
