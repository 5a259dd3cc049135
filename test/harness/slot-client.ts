import type { SlotAnswer } from '../../shared/presigned-upload/types';
import { sha256Hex } from './media';

/** What a test declares when it opens a slot (defaults: the file's own size and digest). */
export interface SlotDeclaration {
  template: string;
  fileName: string;
  size?: number;
  sha256?: string;
}

export interface HttpAnswer {
  status: number;
  body: any;
}

async function postJson(url: string, body: unknown): Promise<HttpAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

export async function openSlot(baseUrl: string, file: Buffer, d: SlotDeclaration): Promise<HttpAnswer> {
  return postJson(`${baseUrl}/storage/upload-slots`, {
    template: d.template,
    file_name: d.fileName,
    size: d.size ?? file.length,
    sha256: d.sha256 ?? sha256Hex(file),
  });
}

/** PUTs the bytes to S3 as the slot says (one PUT, or one per part); the parts' ETags. */
export async function sendToS3(
  slot: SlotAnswer,
  file: Buffer,
): Promise<{ part_number: number; etag: string }[]> {
  if ('url' in slot.upload) {
    await put(slot.upload.url, file);
    return [];
  }
  const parts = [];
  for (const part of slot.upload.parts) {
    const etag = await put(part.url, file.subarray(part.start, part.end));
    parts.push({ part_number: part.part_number, etag });
  }
  return parts;
}

async function put(url: string, bytes: Buffer): Promise<string> {
  const res = await fetch(url, { method: 'PUT', body: bytes });
  if (!res.ok) throw new Error(`S3 answered ${res.status} to a presigned PUT: ${await res.text()}`);
  return res.headers.get('etag') ?? '';
}

export function completeSlot(
  baseUrl: string,
  slot: SlotAnswer,
  parts: { part_number: number; etag: string }[],
  token = slot.token,
): Promise<HttpAnswer> {
  return postJson(`${baseUrl}${slot.complete_url}`, { token, ...(parts.length ? { parts } : {}) });
}

/** The whole flow: open, send, complete; the completion's answer. */
export async function uploadThroughSlot(
  baseUrl: string,
  file: Buffer,
  d: SlotDeclaration,
): Promise<HttpAnswer> {
  const opened = await openSlot(baseUrl, file, d);
  if (opened.status !== 201) return opened;
  const parts = await sendToS3(opened.body, file);
  return completeSlot(baseUrl, opened.body, parts);
}
