import { Logger, Storage, StorageNodeSelector } from '@audius/sdk';

/**
 * The real Audius SDK's storage service (v14.1.0, unmodified) pointed at a local cluster:
 * `bootstrapNodes` are the nodes' roots, as operators register them. The selector's API
 * endpoint is a node too: its /health_check has no `network.content_nodes`, so the list stays
 * the bootstrap nodes (the default endpoint is the public Audius API, unreachable here).
 */
export function sdkStorage(nodeUrls: string[]): { storage: Storage; selector: StorageNodeSelector } {
  const logger = new Logger({ logLevel: 'error' });
  const selector = new StorageNodeSelector({
    bootstrapNodes: nodeUrls.map((endpoint, i) => ({
      endpoint,
      delegateOwnerWallet: `0x${String(i).padStart(40, '0')}`,
    })),
    endpoint: nodeUrls[0],
    logger,
  });
  return { storage: new Storage({ storageNodeSelector: selector, logger }), selector };
}
