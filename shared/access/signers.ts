import type { Config } from '../config';
import type { Membership } from '../membership/membership';
import type { StreamSignatureRules } from './stream-signature';

/**
 * Who may sign stream URLs (DESIGN §7: from configuration, no chain access): the configured
 * wallets and, unless turned off, the cluster's healthy members — mediorum accepts its
 * registered peers the same way (reference/mediorum.md §5).
 */
export function streamRules(config: Config, membership: Membership): StreamSignatureRules {
  const listed = new Set(config.streamSigners);
  return {
    isAllowedSigner: (address) =>
      listed.has(address) || (config.membersSignStreams && membership.get(address)?.healthy === true),
    windowMs: config.streamSignatureHours * 3600_000,
    skewMs: config.signatureSkewSeconds * 1000,
  };
}
