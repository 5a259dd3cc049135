import { stepInvoker } from '../bridge/step-invoker';
import type { Logger } from '../log';
import { startConsumerShim, type ConsumerShim } from './consumer-shim';
import { exportedHandler } from './load-function';
import type { Manifest } from './manifest';
import { startSchedule, type Schedule } from './scheduler';
import type { Services } from './services';
import type { ScheduleHandler } from '../step';

export interface Workers {
  /** Stops pulling; in-flight work gets `graceMs` to finish, then is aborted and handed back (nak). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * The non-HTTP half of a node: one consumer shim per NATS trigger, and the schedules. With
 * AUDIUS_STEP_INVOKER=lambda (the bridge) the shims invoke the deployed functions, and the
 * schedules are the platform's (EventBridge rules on AWS), not this process's.
 */
export async function startWorkers(services: Services, manifest: Manifest, log: Logger): Promise<Workers> {
  const invocation = stepInvoker(services.config);
  const runSchedules = services.config.stepInvoker === 'in-process';
  const shims: ConsumerShim[] = [];
  const schedules: Schedule[] = [];
  const stop = async (graceMs?: number) => {
    await Promise.allSettled([...shims.map((s) => s.stop(graceMs)), ...schedules.map((s) => s.stop())]);
  };
  try {
    for (const spec of manifest.functions) {
      for (const trigger of spec.nats) {
        const { handler, timeoutSeconds } = invocation(spec);
        const shim = await startConsumerShim({
          nats: services.nats,
          functionName: spec.name,
          trigger: {
            ...trigger,
            ackWait: services.config.ackWaitSeconds || trigger.ackWait,
            concurrency: services.config.workerConcurrency || trigger.concurrency,
          },
          handler,
          log,
          nodeId: services.identity.address,
          timeoutSeconds,
          mayPull: () => services.membership.get(services.identity.address)?.healthy === true,
        });
        shims.push(shim);
      }
      for (const s of runSchedules ? spec.schedules : []) {
        schedules.push(startSchedule(spec.name, s.everyMs, exportedHandler<ScheduleHandler>(spec), log));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}
