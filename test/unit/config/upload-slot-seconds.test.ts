import { loadConfig } from '../../../shared/config';

/** AUDIUS_UPLOAD_SLOT_SECONDS: SigV4 presigned URLs live at most 7 days, so a slot cannot either. */
describe('upload slot lifetime', () => {
  const load = (seconds: string) => loadConfig({ AUDIUS_UPLOAD_SLOT_SECONDS: seconds });

  test('up to 7 days is taken as it is', () => {
    expect(load('3600').uploadSlotSeconds).toBe(3600);
    expect(load('604800').uploadSlotSeconds).toBe(604_800);
  });

  test.each(['604801', '0', 'soon'])('%s is one clear BAD_CONFIG error', (seconds) => {
    expect(() => load(seconds)).toThrow(expect.objectContaining({ code: 'BAD_CONFIG' }));
  });
});
