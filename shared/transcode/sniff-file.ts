import { open } from 'node:fs/promises';
import { id3v2End, sniffType, SNIFF_BYTES, type Sniffed } from './sniff';
import { transientFailure } from './failures';

/**
 * Sniffs a file on disk. Unlike an upload's first chunk, the whole file is here, so an ID3v2
 * tag longer than SNIFF_BYTES (embedded cover art) is looked behind too.
 */
export async function sniffFile(path: string): Promise<Sniffed> {
  const handle = await open(path, 'r').catch((err: unknown) => {
    throw transientFailure(`the input file ${path} cannot be opened`, err);
  });
  try {
    const head = await readAt(handle, 0);
    const tagEnd = id3v2End(head);
    if (tagEnd === null || tagEnd + 4 <= head.length) return sniffType(head);
    const behind = sniffType(await readAt(handle, tagEnd));
    return behind.kind === 'audio' ? behind : { kind: 'audio', format: 'mp3' };
  } finally {
    await handle.close();
  }
}

async function readAt(handle: Awaited<ReturnType<typeof open>>, position: number): Promise<Buffer> {
  const buffer = Buffer.alloc(SNIFF_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, position);
  return buffer.subarray(0, bytesRead);
}
