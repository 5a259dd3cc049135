import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { Job } from '../../shared/jobs/types';
import { parseFileName } from '../../shared/placement/mod';
import { contextOf, withCommonOptions } from '../context';
import { CliError, EXIT, usageError } from '../exit-codes';
import { formatBytes } from '../output';
import { createTransferBar } from '../progress';

interface GetOptions {
  output?: string;
  signature?: string;
}

export function registerGet(program: Command): void {
  withCommonOptions(
    program
      .command('get')
      .description("download a stored file with progress, checked against its job record's sha256")
      .argument('<fileName>', 'a result name, <job id>_<variant>.<ext>')
      .option('-o, --output <path>', 'where to write it (default: ./<fileName>; a directory keeps the name)')
      .option('--signature <json>', 'a signed stream URL signature for a gated file (see `npm run sign-url`)')
      .addHelpText(
        'after',
        `
Examples:
  storage get cmwv5cl2t0jvw15fqqufat7tu_320.mp3
  storage get cmwv5cl2t0jvw15fqqufat7tu_1000.jpg -o covers/

The file appears under its name only once all of it arrived with the recorded sha256;
a mismatch leaves nothing behind and exits 1.`,
      ),
  ).action(async (fileName: string, options: GetOptions, command: Command) => {
    const { client, out } = contextOf(command);
    const parsed = parseFileName(fileName);
    if (!parsed)
      throw usageError(`not a result file name: ${JSON.stringify(fileName)} (<job id>_<variant>.<ext>)`);
    const target = targetPath(fileName, options.output);
    const job = await client.json<Job>(`/jobs/${parsed.id}`);
    const expected = job.results.find((r) => r.name === fileName);
    if (!expected) {
      throw new CliError(EXIT.refused, `job ${job.id} (${job.status}) has no result ${fileName}`);
    }
    const query = options.signature ? `?${new URLSearchParams({ signature: options.signature })}` : '';
    const res = await client.request(`/long-term/file/${encodeURIComponent(fileName)}${query}`, {
      timeoutMs: 24 * 3600_000,
    });
    const bar = createTransferBar(fileName, expected.size, 'download');
    const { sha256, size } = await download(
      res,
      target,
      (bytes) => bar.update(bytes),
      expected.sha256,
    ).finally(() => bar.stop());
    const result = {
      fileName,
      path: target,
      size,
      sha256,
      verified: true,
      servedBy: new URL(res.url).origin,
    };
    if (out.json) out.data(result);
    else out.line(`${target}  ${formatBytes(size)}  sha256 ${sha256} ${out.color.green('verified')}`);
  });
}

function targetPath(fileName: string, output: string | undefined): string {
  if (!output) return path.resolve(fileName);
  const isDir = output.endsWith(path.sep) || (fs.existsSync(output) && fs.statSync(output).isDirectory());
  const target = isDir ? path.join(output, fileName) : output;
  if (!fs.existsSync(path.dirname(path.resolve(target)))) {
    throw usageError(`no such directory: ${path.dirname(target)}`);
  }
  return path.resolve(target);
}

/** Streams into a temp file beside the target, hashing on the way; renames only when the digest matches. */
async function download(
  res: Response,
  target: string,
  onBytes: (bytes: number) => void,
  expectedSha256: string,
): Promise<{ sha256: string; size: number }> {
  const temp = `${target}.part-${randomBytes(4).toString('hex')}`;
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      onBytes(size);
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as never), meter, fs.createWriteStream(temp));
    const sha256 = hash.digest('hex');
    if (sha256 !== expectedSha256) {
      throw new CliError(
        EXIT.problem,
        `sha256 mismatch: got ${sha256}, the job records ${expectedSha256}; nothing written`,
      );
    }
    await fs.promises.rename(temp, target);
    return { sha256, size };
  } catch (err) {
    await fs.promises.rm(temp, { force: true });
    throw err;
  }
}
