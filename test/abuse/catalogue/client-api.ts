import { cidOfSha256 } from '../../../shared/cid/cid';
import { request, send } from './send';
import { refused, type AbuseCase } from './types';

/** A well-formed CIDv1 (sha2-256) of bytes nobody stored. */
const UNKNOWN_CID = cidOfSha256('ab'.repeat(32));
const TUS = { 'tus-resumable': '1.0.0' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** The client API at the node root (mediorum's routes): tus, uploads, content, cidstream. */
export const clientApiCases: AbuseCase[] = [
  {
    name: 'tus: a creation without Tus-Resumable',
    act: request({ method: 'POST', path: '/files/', headers: { 'upload-length': '10' } }),
    expected: refused(400, 'TUS_BAD_REQUEST'),
  },
  {
    name: 'tus: a creation of 1 TB',
    act: request({
      method: 'POST',
      path: '/files/',
      headers: {
        ...TUS,
        'upload-length': String(2 ** 40),
        'upload-metadata': `filename ${b64('a.mp3')},template ${b64('audio')}`,
      },
    }),
    expected: refused(413, 'PAYLOAD_TOO_LARGE'),
  },
  {
    name: 'tus: a creation whose metadata is not base64',
    act: request({
      method: 'POST',
      path: '/files/',
      headers: { ...TUS, 'upload-length': '10', 'upload-metadata': 'filename %%%,template ***' },
    }),
    expected: refused(400, 'TUS_BAD_REQUEST'),
  },
  {
    name: 'tus: a PATCH of an upload that does not exist',
    act: request({
      method: 'PATCH',
      path: '/files/cle4h8b1g000101q8l4tz2mkx',
      headers: { ...TUS, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      body: 'x',
    }),
    expected: refused(404, 'UPLOAD_NOT_FOUND'),
  },
  {
    name: 'tus: HEAD by a traversal id',
    act: request({ method: 'HEAD', path: '/files/..%2F..%2Fetc%2Fpasswd', headers: TUS }),
    expected: refused(404, null),
  },
  {
    name: 'uploads: a traversal id',
    act: request({ path: '/uploads/..%2F..%2Fetc%2Fpasswd' }),
    expected: refused(400, 'VALIDATION_FAILED'),
  },
  {
    name: 'content: not a CID',
    act: request({ path: '/content/..%2F..%2Fetc%2Fpasswd' }),
    expected: refused(400, 'BAD_CID'),
  },
  {
    name: 'content: a CID nobody stored',
    act: request({ path: `/content/${UNKNOWN_CID}` }),
    expected: refused(404, 'CID_NOT_FOUND'),
  },
  {
    name: 'content: an audio CID (audio needs cidstream)',
    act: (ctx) => send(ctx, { path: `/content/${ctx.stored.cid}` }),
    expected: refused(401, 'AUDIO_NEEDS_CIDSTREAM'),
  },
  {
    name: 'cidstream: no signature',
    act: (ctx) => send(ctx, { path: `/tracks/cidstream/${ctx.stored.cid}` }),
    expected: refused(401, 'SIGNATURE_REQUIRED'),
  },
  {
    name: 'cidstream: a signature that is not JSON',
    act: (ctx) => send(ctx, { path: `/tracks/cidstream/${ctx.stored.cid}?signature=%7Bnot-json` }),
    expected: refused(400, 'SIGNATURE_NOT_JSON'),
  },
  {
    name: 'cidstream: a 9 KB signature',
    act: (ctx) => send(ctx, { path: `/tracks/cidstream/${ctx.stored.cid}?signature=${'a'.repeat(9_000)}` }),
    expected: refused(400, 'SIGNATURE_TOO_LARGE'),
  },
];
