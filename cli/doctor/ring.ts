import { NodeClient } from '../client';
import { CliError, EXIT } from '../exit-codes';
import { ringReport } from '../ring-views';
import { errorText, fail, ok, skip, type Check } from './check';

/** Every healthy member's own ring against the others' (`storage ring --diff`), asked through the node. */
export async function checkRing(nodeUrl: string): Promise<Check> {
  try {
    const report = await ringReport(new NodeClient(nodeUrl));
    const { agreement } = report;
    if (agreement.agree) {
      return ok(
        'ring agreement',
        `${report.views.length} nodes agree on ring ${agreement.fingerprints[0]?.fingerprint.slice(0, 12)}`,
      );
    }
    const parts = [
      agreement.fingerprints.length > 1 ? `${agreement.fingerprints.length} different rings` : '',
      agreement.healthySets.length > 1 ? `${agreement.healthySets.length} different healthy sets` : '',
      agreement.unreachable.length ? `unreachable: ${agreement.unreachable.join(', ')}` : '',
    ].filter(Boolean);
    return fail(
      'ring agreement',
      parts.join('; '),
      "give every node the same AUDIUS_REPLICATION_FACTOR, AUDIUS_SHARD_LENGTH and version, check that each reaches NATS and its peers' hosts; `storage ring --diff` shows who differs",
    );
  } catch (err) {
    if (err instanceof CliError && err.exitCode === EXIT.unreachable) {
      return skip('ring agreement', `${errorText(err)}: start the node, then run doctor again`);
    }
    return fail('ring agreement', errorText(err), '`storage ring --diff` shows the details');
  }
}
