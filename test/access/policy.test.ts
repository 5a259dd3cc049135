import { describePolicy, isGated, parseReadPolicy } from '../../shared/access/policy';
import { loadConfig } from '../../shared/config';
import { isStorageError } from '../../shared/errors';

const ID = 'abcdefghijklmnopqrstuvwxy';

describe('read policy', () => {
  test('the default (a node started by docker compose or with production settings) gates full tracks only', () => {
    const policy = loadConfig({}).gatedVariants;
    expect(policy.open).toBe(false);
    expect(isGated(policy, `${ID}_320.mp3`)).toBe(true);
    expect(isGated(policy, `${ID}_preview.mp3`)).toBe(false);
    expect(isGated(policy, `${ID}_150.jpg`)).toBe(false);
    expect(isGated(policy, `${ID}_2000.jpg`)).toBe(false);
    // An upload's source (a temp object named by its job id) is the master of the gated track.
    expect(isGated(policy, ID)).toBe(true);
    expect(describePolicy(policy)).toBe('gated: audio:320');
  });

  test('none / open gate nothing, not even sources', () => {
    for (const word of ['none', 'open']) {
      const policy = parseReadPolicy(word);
      expect([policy.open, isGated(policy, `${ID}_320.mp3`), isGated(policy, ID)]).toEqual([
        true,
        false,
        false,
      ]);
    }
  });

  test('template:* gates every variant of a template, and only those', () => {
    const policy = parseReadPolicy('audio:320, img_square:*');
    expect([...policy.gated].sort()).toEqual([
      'audio:320',
      'img_square:1000',
      'img_square:150',
      'img_square:480',
    ]);
    expect(isGated(policy, `${ID}_480.jpg`)).toBe(true);
    expect(isGated(policy, `${ID}_640.jpg`)).toBe(false);
  });

  test('an entry no template makes is a configuration error, not an open door', () => {
    for (const bad of ['audio:321', 'video:*', 'audio', 'all']) {
      let code = '';
      try {
        parseReadPolicy(bad);
      } catch (err) {
        code = isStorageError(err) ? err.code : String(err);
      }
      expect(code).toBe('BAD_CONFIG');
    }
  });

  test('a typo never opens the node: each malformed entry, and an empty list, is BAD_CONFIG', () => {
    const typos = [
      'audio:320:x',
      'audio:320:',
      'audio:*:',
      ':320',
      'audio:',
      'audio:320,',
      'audio:320,,img_square:*',
      'audio : 320',
      'AUDIO:320',
      'none,audio:320',
      'nonee',
      ' ',
      ',',
      ' , ',
      '',
    ];
    for (const bad of typos) {
      let code = 'ACCEPTED';
      try {
        const policy = parseReadPolicy(bad);
        code = `ACCEPTED, full tracks gated: ${isGated(policy, `${ID}_320.mp3`)}`;
      } catch (err) {
        code = isStorageError(err) ? err.code : String(err);
      }
      expect([bad, code]).toEqual([bad, 'BAD_CONFIG']);
    }
    expect(() => loadConfig({ AUDIUS_GATED_VARIANTS: ' , ' })).toThrow('AUDIUS_GATED_VARIANTS');
  });

  test('only the words none and open (alone, any surrounding spaces) open the node', () => {
    for (const word of ['none', 'open', ' none ', 'open\n'])
      expect([word, parseReadPolicy(word).open]).toEqual([word, true]);
    // Spaces around well-formed entries are fine.
    expect([...parseReadPolicy(' audio:320 , img_backdrop:2000 ').gated]).toEqual([
      'audio:320',
      'img_backdrop:2000',
    ]);
  });

  test('the upload mode defaults to signed and wallets are validated', () => {
    expect(loadConfig({}).uploadMode).toBe('signed');
    expect(() => loadConfig({ AUDIUS_UPLOAD_MODE: 'anyone' })).toThrow('AUDIUS_UPLOAD_MODE');
    expect(() => loadConfig({ AUDIUS_STREAM_SIGNERS: '0x1234' })).toThrow('AUDIUS_STREAM_SIGNERS');
  });
});
