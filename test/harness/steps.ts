import { Readable } from 'node:stream';
import type { Job } from '../../shared/jobs/types';
import { receiveUpload } from '../../shared/jobs/upload';
import { createLogger } from '../../shared/log';
import type { Services } from '../../shared/runtime/services';
import type { StepContext, StepEvent } from '../../shared/step';

/** What the runtime hands a step, for tests that invoke step handlers directly. */
export function stepContext(): StepContext {
  return { functionName: 'test', signal: new AbortController().signal, log: createLogger('t', 'silent') };
}

/** A JOBS delivery of job `id` on `subject`, as the consumer shim builds it. */
export function jobEvent(subject: string, id: string, attempt = 1): StepEvent<{ id: string }> {
  return { stream: 'JOBS', subject, sequence: 1, data: { id }, attempt, maxAttempts: 3 };
}

/** One file uploaded through the node's own upload code, as a browser's multipart form sends it. */
export async function uploadInProcess(
  s: Services,
  name: string,
  bytes: Buffer,
  template: string,
): Promise<Job> {
  const boundary = 'in-process-upload';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\n\r\n`),
    bytes,
    Buffer.from(
      `\r\n--${boundary}\r\nContent-Disposition: form-data; name="template"\r\n\r\n${template}\r\n--${boundary}--\r\n`,
    ),
  ]);
  const [job] = await receiveUpload(
    s,
    { 'content-type': `multipart/form-data; boundary=${boundary}` },
    Readable.from([body]),
  );
  return job;
}
