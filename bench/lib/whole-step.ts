import fs from 'node:fs';
import path from 'node:path';
import { handler as audioStep } from '../../functions/transcode/audio';
import { handler as backdropStep } from '../../functions/transcode/img-backdrop';
import { handler as squareStep } from '../../functions/transcode/img-square';
import { loadConfig } from '../../shared/config';
import { ingestStream } from '../../shared/jobs/upload';
import type { Template } from '../../shared/jobs/types';
import { startNatsCluster, type NatsCluster } from '../../shared/local/nats-server';
import { createLogger } from '../../shared/log';
import { newPrivateKeyHex } from '../../shared/identity/wallet';
import { buildServices } from '../../shared/runtime/build-services';
import { closeServices } from '../../shared/runtime/node';
import { provideServices, type Services } from '../../shared/runtime/services';
import type { StepContext, StepEvent, StepHandler } from '../../shared/step';

const STEPS: Record<Template, StepHandler<{ id: string }, unknown>> = {
  audio: audioStep,
  img_square: squareStep,
  img_backdrop: backdropStep,
};

/**
 * The whole transcode step as a node runs it (bench/transcode.ts "step" rows): a real
 * nats-server and a node's services in this process; each run ingests the input into the
 * temp store (untimed, as the upload is not the step), then times the step handler end to
 * end — temp-store download, transcode, result puts into the temp store, job record writes
 * and the hand-off to the storers.
 */
export class WholeStep {
  private constructor(
    private readonly nats: NatsCluster,
    private readonly s: Services,
  ) {}

  static async start(root: string): Promise<WholeStep> {
    const nats = await startNatsCluster({ size: 1, dataDir: path.join(root, 'step-nats') });
    const config = loadConfig({
      NATS_SERVER_URL: nats.urls.join(','),
      AUDIUS_PORT: '0',
      AUDIUS_DATA_DIR: path.join(root, 'step-data'),
      storage_driver_url: `file://${path.join(root, 'step-blobs')}`,
      AUDIUS_DELEGATE_PRIVATE_KEY: newPrivateKeyHex(),
      AUDIUS_GATED_VARIANTS: 'none',
      AUDIUS_UPLOAD_MODE: 'open',
      AUDIUS_SCRUB_MBPS: '0',
    });
    const s = await buildServices(config, createLogger('bench', 'silent'));
    provideServices(s);
    return new WholeStep(nats, s);
  }

  /** Milliseconds of one step run over `input`. */
  async time(template: Template, input: string): Promise<number> {
    const job = await ingestStream(this.s, {
      template,
      fileName: path.basename(input),
      body: fs.createReadStream(input),
    });
    const event: StepEvent<{ id: string }> = {
      stream: 'JOBS',
      subject: `jobs.${template}`,
      sequence: 1,
      data: { id: job.id },
      attempt: 1,
      maxAttempts: 3,
    };
    const context: StepContext = {
      functionName: template,
      signal: new AbortController().signal,
      log: createLogger('bench', 'silent'),
    };
    const started = performance.now();
    await STEPS[template](event, context);
    return performance.now() - started;
  }

  async stop(): Promise<void> {
    await closeServices(this.s);
    await this.nats.stop();
  }
}
