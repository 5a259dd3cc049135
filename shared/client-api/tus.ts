import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { uploaderWallet } from '../access/upload-signature';
import { describeError, StorageError } from '../errors';
import { newId } from '../jobs/ids';
import { JOB_STATUS } from '../jobs/types';
import { ingestStream, parsePreviewStart, requireTemplate } from '../jobs/upload';
import { isValidId } from '../placement/keys';
import type { Services } from '../runtime/services';
import { diskSpace } from './disk';
import { asJsonErrors, tusError } from './tus-errors';
import { checkPlacementHosts } from './placement-hosts';

// @tus/server and @tus/file-store ship as ES modules only: loaded with import() when the node
// first needs them (Node 20.19+), so CommonJS code and jest can load this file.
type TusServer = InstanceType<
  (typeof import('@tus/server', { with: { 'resolution-mode': 'import' } }))['Server']
>;
type TusUpload = import('@tus/utils', { with: { 'resolution-mode': 'import' } }).Upload;
type TusStore = InstanceType<
  (typeof import('@tus/file-store', { with: { 'resolution-mode': 'import' } }))['FileStore']
>;

/** The tus path the Audius SDK uploads to: `{endpoint}/files/` (Storage.ts in @audius/sdk). */
export const TUS_PATH = '/files';

/** Where a node keeps partial uploads: on its own disk, so they survive a restart. */
export function tusDirectory(s: Services): string {
  return path.join(s.config.dataDir, 'tus');
}

const servers = new WeakMap<Services, Promise<{ server: TusServer; store: TusStore }>>();

/** The node's tus server (@tus/server over @tus/file-store), made on first use. */
export function tusServer(s: Services): Promise<{ server: TusServer; store: TusStore }> {
  let pending = servers.get(s);
  if (!pending) {
    pending = makeServer(s);
    pending.catch(() => servers.delete(s));
    servers.set(s, pending);
  }
  return pending;
}

/** Hands one request to tus; the caller has hijacked the reply. */
export async function handleTus(s: Services, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { server } = await tusServer(s);
  await server.handle(req, res);
}

/** Deletes unfinished uploads created more than AUDIUS_TUS_EXPIRY_HOURS ago; returns how many. */
export async function expireTusUploads(s: Services): Promise<number> {
  const { server } = await tusServer(s);
  return server.cleanUpExpiredUploads();
}

async function makeServer(s: Services): Promise<{ server: TusServer; store: TusStore }> {
  const { Server, EVENTS } = await import('@tus/server');
  const { FileStore } = await import('@tus/file-store');
  const store = new FileStore({
    directory: tusDirectory(s),
    expirationPeriodInMilliseconds: s.config.tusExpiryHours * 3600_000,
  });
  const server = new Server({
    path: TUS_PATH,
    datastore: store,
    maxSize: s.config.maxUploadBytes,
    // The upload id is the job id: the SDK polls GET /uploads/<last segment of the tus URL>.
    namingFunction: () => newId(),
    onIncomingRequest: async (_req, id) => {
      if (id && !isValidId(id)) throw tusError(new StorageError('UPLOAD_NOT_FOUND', `No upload ${id}`));
    },
    onUploadCreate: async (req, upload) => {
      try {
        return { metadata: await acceptCreation(s, new URL(req.url).searchParams, upload) };
      } catch (err) {
        throw tusError(err);
      }
    },
    onUploadFinish: async (_req, upload) => {
      try {
        await finish(s, store, upload);
        return {};
      } catch (err) {
        await store.remove(upload.id).catch(() => undefined);
        throw tusError(err);
      }
    },
    onResponseError: (_req, err) => tusError(err),
  });
  // `handler` (Request → Response) is private in @tus/server's types but is the one seam
  // between its answers and the socket; the bad-input test pins the JSON it must give.
  asJsonErrors(server as unknown as Parameters<typeof asJsonErrors>[0]);
  // The job owns the bytes now (temp store): the partial file goes once the client has its answer.
  server.on(EVENTS.POST_FINISH, (_req, _res, upload) => {
    store.remove(upload.id).catch((err: unknown) => s.log.warn({ id: upload.id, err: describeError(err) }));
  });
  return { server, store };
}

/**
 * A new upload is checked before a byte is taken: its template, its preview start, its
 * placementHosts, the uploader's signature (as POST /storage/file checks it), and room on this node's disk.
 */
async function acceptCreation(s: Services, query: URLSearchParams, upload: TusUpload) {
  const meta = upload.metadata ?? {};
  requireTemplate(meta.template ?? undefined, 'metadata template');
  parsePreviewStart(meta.previewStartSeconds ?? undefined);
  const placementHosts = checkPlacementHosts(s, meta.placementHosts);
  if (placementHosts)
    s.log.info(
      { id: upload.id, placementHosts },
      'placementHosts not followed: files are placed by their shard (shared/client-api/placement-hosts.ts)',
    );
  const signature = query.get('signature') ?? meta.signature ?? undefined;
  const wallet = uploaderWallet(signature, s.config);
  const disk = await diskSpace(s.config);
  if (!disk.hasSpace || (upload.size ?? 0) > disk.freeBytes - s.config.minFreeDiskMB * 1024 * 1024)
    throw new StorageError('DISK_FULL', `This node has ${Math.floor(disk.freeBytes / 2 ** 20)} MB free`);
  return { ...meta, ...(wallet ? { userWallet: wallet } : {}), signature: null };
}

/** A complete upload enters the pipeline exactly as a POST /storage/file part does. */
async function finish(s: Services, store: TusStore, upload: TusUpload): Promise<void> {
  const meta = upload.metadata ?? {};
  if (await s.jobs.get(upload.id)) return; // a repeated final PATCH: the job exists already
  const job = await ingestStream(s, {
    id: upload.id,
    template: meta.template as never,
    fileName: meta.filename || 'file',
    body: store.read(upload.id),
    previewStart: parsePreviewStart(meta.previewStartSeconds ?? undefined),
    userWallet: meta.userWallet ?? undefined,
  });
  if (job.template !== 'audio') await imageOutcome(s, job.id);
}

/** How long the last PATCH of an image waits for its resize (about 0.3 s a cover, bench:transcode). */
const IMAGE_WAIT_MS = 20_000;

/**
 * mediorum answers an image upload only once the image is in (reference/mediorum.md §2), and
 * Audius SDK 14.1.0 reads a 422 from GET /uploads/:id as a node failure and keeps polling for
 * its 5-minute limit: so the last PATCH of an image waits for the resize, and a corrupt image
 * fails that PATCH (422 with the reason), which the SDK reports at once. A slow resize only
 * ends the wait; the SDK then polls as usual.
 */
async function imageOutcome(s: Services, id: string): Promise<void> {
  const until = Date.now() + IMAGE_WAIT_MS;
  while (Date.now() < until) {
    const job = await s.jobs.get(id);
    if (job?.status === JOB_STATUS.error)
      throw new StorageError('TRANSCODE_FAILED', job.error ?? 'the image could not be resized');
    if (!job || job.status === JOB_STATUS.done || job.stage === 'storing') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
