import {
  allShards,
  isValidId,
  parseFileName,
  shardAt,
  shardIndex,
  shardOfFileName,
  shardOfId,
  shardOfKey,
} from '../../../shared/placement/mod';
import { codeOf } from './helpers';

const ID = 'cle4h8b1g000101q8l4tz2mkx';

describe('ids', () => {
  it('accepts 25 lower-case base36 characters', () => {
    expect(isValidId(ID)).toBe(true);
    expect(isValidId('0000000000000000000000000')).toBe(true);
  });

  it.each([
    ['upper case', ID.toUpperCase()],
    ['24 chars', ID.slice(1)],
    ['26 chars', ID + 'a'],
    ['a dash', 'cle4h8b1g000101q8l4tz2mk-'],
    ['a trailing newline', ID.slice(1) + '\n'],
    ['empty', ''],
  ])('rejects %s', (_label, id) => {
    expect(isValidId(id)).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(isValidId(undefined)).toBe(false);
    expect(isValidId(42)).toBe(false);
  });
});

describe('result file names', () => {
  it.each([
    [`${ID}_320.mp3`, { id: ID, variant: '320', ext: 'mp3' }],
    [`${ID}_150.jpg`, { id: ID, variant: '150', ext: 'jpg' }],
    [`${ID}_preview.mp3`, { id: ID, variant: 'preview', ext: 'mp3' }],
  ])('parses %s', (name, parsed) => {
    expect(parseFileName(name)).toEqual(parsed);
  });

  it.each([
    ['path traversal', `../${ID}_320.mp3`],
    ['a dot-dot variant', `${ID}_...mp3`],
    ['a slash', `${ID}_320/x.mp3`],
    ['a backslash', `${ID}_320\\x.mp3`],
    ['a leading slash', `/${ID}_320.mp3`],
    ['upper case id', `${ID.toUpperCase()}_320.mp3`],
    ['upper case extension', `${ID}_320.MP3`],
    ['no variant', `${ID}.mp3`],
    ['no extension', `${ID}_320`],
    ['two extensions', `${ID}_320.tar.gz`],
    ['a trailing newline', `${ID}_320.mp3\n`],
    ['a NUL', `${ID}_320.mp3\0`],
    ['a space', `${ID}_320 .mp3`],
    ['percent-encoding', `${ID}_%2e%2e.mp3`],
    ['a short id', `${ID.slice(1)}_320.mp3`],
    ['empty', ''],
  ])('rejects %s', (_label, name) => {
    expect(parseFileName(name)).toBeNull();
  });

  it('rejects non-strings', () => {
    expect(parseFileName(null)).toBeNull();
    expect(parseFileName({ toString: () => `${ID}_320.mp3` })).toBeNull();
  });
});

describe('shards', () => {
  it('is the last shardLength characters of the id', () => {
    expect(shardOfId(ID, 3)).toBe('mkx');
    expect(shardOfId(ID, 2)).toBe('kx');
    expect(shardOfId(ID, 4)).toBe('2mkx');
    expect(shardOfFileName(`${ID}_320.mp3`, 3)).toBe('mkx');
  });

  it('derives the same shard from an id, a file name or the shard itself', () => {
    expect(shardOfKey(ID, 3)).toBe('mkx');
    expect(shardOfKey(`${ID}_150.jpg`, 3)).toBe('mkx');
    expect(shardOfKey('mkx', 3)).toBe('mkx');
    expect(shardOfKey('kx', 2)).toBe('kx');
  });

  it.each([
    ['BAD_ID', 'an upper-case id', () => shardOfId(ID.toUpperCase(), 3)],
    ['BAD_ID', 'a short id', () => shardOfId('short', 3)],
    ['BAD_FILE_NAME', 'a traversing file name', () => shardOfFileName(`../${ID}_320.mp3`, 3)],
    ['BAD_FILE_NAME', 'an upper-case extension key', () => shardOfKey(`${ID}_320.MP3`, 3)],
    ['BAD_FILE_NAME', 'a path key', () => shardOfKey('../etc/passwd', 3)],
    ['BAD_ID', 'an upper-case id key', () => shardOfKey(ID.toUpperCase(), 3)],
    ['BAD_SHARD', 'an upper-case shard key', () => shardOfKey('MKX', 3)],
    ['BAD_SHARD', 'a shard key of the wrong length', () => shardOfKey('mkxx', 3)],
    ['BAD_SHARD', 'an empty key', () => shardOfKey('', 3)],
    ['BAD_SHARD', 'a short shard', () => shardIndex('mk', 3)],
    ['BAD_CONFIG', 'shard length 0', () => shardOfId(ID, 0)],
    ['BAD_CONFIG', 'shard length 5', () => shardOfId(ID, 5)],
    ['BAD_CONFIG', 'a fractional shard length', () => allShards(1.5)],
  ])('throws %s for %s', (code, _label, fn) => {
    expect(codeOf(fn)).toBe(code);
  });

  it('enumerates every shard once, in base36 order', () => {
    const shards = allShards(3);
    expect(shards).toHaveLength(46_656);
    expect(shards[0]).toBe('000');
    expect(shards[35]).toBe('00z');
    expect(shards.at(-1)).toBe('zzz');
    expect(new Set(shards).size).toBe(shards.length);
    expect([...shards].sort()).toEqual(shards);
    expect(allShards(1).join('')).toBe('0123456789abcdefghijklmnopqrstuvwxyz');
  });

  it('maps shards to their index and back', () => {
    expect(shardIndex('mkx', 3)).toBe(parseInt('mkx', 36));
    for (const i of [0, 1, 35, 36, 1295, 46_655]) expect(shardIndex(shardAt(i, 3), 3)).toBe(i);
  });
});
