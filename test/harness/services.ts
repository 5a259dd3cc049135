import { createLogger } from '../../shared/log';
import { buildServices } from '../../shared/runtime/build-services';
import { closeServices } from '../../shared/runtime/node';
import { provideServices, type Services } from '../../shared/runtime/services';
import { testConfig } from './config';
import { startTestNats, type TestNats } from './nats';
import { tempDir } from './temp';

export interface InProcessServices {
  services: Services;
  nats: TestNats;
  /** A temp dir of the test's own (the node's data and file store live under it). */
  dir: string;
  stop(): Promise<void>;
}

/**
 * A real nats-server and a node's services in this process, without HTTP or workers: for
 * invoking functions directly as `handler(event, context)`. Call `stop()` in afterAll.
 */
export async function startInProcessServices(name: string): Promise<InProcessServices> {
  const temp = tempDir(name);
  const nats = await startTestNats(1);
  const services = await buildServices(testConfig(nats.urls, temp.dir), createLogger('test', 'silent'));
  provideServices(services);
  return {
    services,
    nats,
    dir: temp.dir,
    stop: async () => {
      await closeServices(services);
      await nats.stop();
      temp.remove();
    },
  };
}
