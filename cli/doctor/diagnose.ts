import { loadConfig, type Config } from '../../shared/config';
import { checkBinaries } from './binaries';
import { errorText, fail, ok, type Check } from './check';
import { checkNats } from './nats';
import { checkRing } from './ring';
import { checkDisks, checkStore } from './store';

/** Every check of `storage doctor`, in the order they print; independent ones run at once. */
export async function diagnose(env: NodeJS.ProcessEnv, nodeUrl?: string): Promise<Check[]> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    return [
      fail(
        'settings',
        errorText(err),
        'correct the variable named (README "Configuration" lists every setting)',
      ),
    ];
  }
  const [nats, store, binaries, disks] = await Promise.all([
    checkNats(config),
    checkStore(config, env),
    checkBinaries(env),
    checkDisks(config, env),
  ]);
  return [
    ok('settings', `node ${config.host}, NATS ${config.natsUrl.join(',')}, store ${config.storageUrl}`),
    ...nats,
    store,
    ...binaries,
    ...disks,
    await checkRing(nodeUrl ?? config.host),
  ];
}
