import { errorText } from './doctor/check';
import { usageError } from './exit-codes';

/** `--env-file`: the node's settings file (KEY=value lines) into this process's environment. */
export function loadEnvFile(file: string): void {
  try {
    process.loadEnvFile(file);
  } catch (err) {
    throw usageError(`--env-file ${file}: ${errorText(err)}`);
  }
}
