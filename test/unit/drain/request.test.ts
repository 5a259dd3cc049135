import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signEnvelope } from '../../../shared/access/signed-envelope';
import { applyDrainRequest, signDrainRequest } from '../../../shared/drain/request';
import { DrainState } from '../../../shared/drain/state';
import { placementWeight } from '../../../shared/drain/weight';
import { identityFromHex, newPrivateKeyHex } from '../../../shared/identity/wallet';
import { codeOf } from '../placement/helpers';

/** The signed drain request (shared/drain/request.ts): who may sign, for which node, replays. */

const node = identityFromHex(newPrivateKeyHex());
const operator = identityFromHex(newPrivateKeyHex());
const stranger = identityFromHex(newPrivateKeyHex());
const NOW = 1_780_000_000_000;

function context(drain = new DrainState(null, false)) {
  return {
    nodeId: node.address,
    config: { operatorWallets: [operator.address], signatureSkewSeconds: 120 },
    drain,
  };
}

describe('drain requests', () => {
  it('are accepted from the node itself and from an operator, and undone', () => {
    const ctx = context();
    expect(
      applyDrainRequest(ctx, signDrainRequest(node.privateKey, node.address, 'drain', NOW), NOW),
    ).toEqual({
      action: 'drain',
      node: node.address,
      by: node.address,
    });
    expect(ctx.drain.status()).toMatchObject({ draining: true, safeToRemove: false });
    applyDrainRequest(ctx, signDrainRequest(operator.privateKey, node.address, 'undrain', NOW + 1), NOW + 1);
    expect(ctx.drain.status()).toEqual({
      draining: false,
      since: null,
      files: 0,
      confirmed: 0,
      safeToRemove: false,
      checkedAt: null,
      blocked: null,
    });
  });

  it.each([
    [
      'SIGNATURE_SIGNER_NOT_ALLOWED',
      'a stranger',
      () => signDrainRequest(stranger.privateKey, node.address, 'drain', NOW),
    ],
    [
      'DRAIN_WRONG_NODE',
      'another node',
      () => signDrainRequest(node.privateKey, stranger.address, 'drain', NOW),
    ],
    [
      'DRAIN_BAD_REQUEST',
      'no type (a stream URL the node signed)',
      () =>
        JSON.parse(signEnvelope(node.privateKey, { node: node.address, action: 'drain', timestamp: NOW })),
    ],
    [
      'DRAIN_BAD_REQUEST',
      'an unknown action',
      () =>
        JSON.parse(
          signEnvelope(node.privateKey, {
            type: 'storage-drain',
            node: node.address,
            action: 'go',
            timestamp: NOW,
          }),
        ),
    ],
    [
      'SIGNATURE_EXPIRED',
      'an old request',
      () => signDrainRequest(node.privateKey, node.address, 'drain', NOW - 600_000),
    ],
    ['DRAIN_BAD_REQUEST', 'an array body', () => [1]],
  ])('refuse %s (%s) and change nothing', (code, _label, body) => {
    const ctx = context();
    expect(codeOf(() => applyDrainRequest(ctx, body(), NOW))).toBe(code);
    expect(ctx.drain.draining()).toBe(false);
  });

  it('refuse a replay, even after a restart (the last request time is kept on disk)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drain-'));
    try {
      const first = signDrainRequest(node.privateKey, node.address, 'drain', NOW);
      applyDrainRequest(context(DrainState.inDataDir(dir, false)), first, NOW);
      applyDrainRequest(
        context(DrainState.inDataDir(dir, false)),
        signDrainRequest(node.privateKey, node.address, 'undrain', NOW + 5),
        NOW + 5,
      );
      const restarted = context(DrainState.inDataDir(dir, false));
      expect(codeOf(() => applyDrainRequest(restarted, first, NOW + 10))).toBe('DRAIN_REPLAYED');
      expect(restarted.drain.draining()).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('AUDIUS_DRAIN=true starts the node draining', () => {
    expect(new DrainState(null, true).status()).toMatchObject({ draining: true, blocked: 'not checked yet' });
  });
});

describe('placement weight', () => {
  it('is the configured number, or the store size in TB capped, or 1 when unknown', () => {
    expect(placementWeight({ placementWeight: 2, placementWeightMax: 16 }, 5e12)).toBe(2);
    expect(placementWeight({ placementWeight: 'capacity', placementWeightMax: 16 }, 3.456e12)).toBe(3.46);
    expect(placementWeight({ placementWeight: 'capacity', placementWeightMax: 16 }, 40e12)).toBe(16);
    expect(placementWeight({ placementWeight: 'capacity', placementWeightMax: 16 }, 1e9)).toBe(0.01);
    expect(placementWeight({ placementWeight: 'capacity', placementWeightMax: 16 }, 0)).toBe(1);
  });
});
