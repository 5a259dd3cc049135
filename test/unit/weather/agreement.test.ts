import { compareViews } from '../../../shared/weather/agreement';
import type { NodeView } from '../../../shared/weather/types';

const view = (nodeId: string, ringFingerprint: string, healthy: string[]): NodeView => ({
  nodeId,
  host: `http://${nodeId}`,
  reachable: true,
  ringFingerprint,
  healthy,
});

describe('compareViews: do the nodes agree on the ring and the healthy set?', () => {
  test('one fingerprint and one healthy set (in any order) is agreement', () => {
    const a = compareViews([
      view('a', 'f1', ['a', 'b', 'c']),
      view('b', 'f1', ['c', 'b', 'a']),
      view('c', 'f1', ['a', 'b', 'c']),
    ]);
    expect(a).toEqual({
      agree: true,
      fingerprints: [{ fingerprint: 'f1', viewers: ['a', 'b', 'c'] }],
      healthySets: [{ healthy: ['a', 'b', 'c'], viewers: ['a', 'b', 'c'] }],
      unreachable: [],
    });
  });

  test('a node with another ring and healthy set is its own group, the majority first', () => {
    const a = compareViews([
      view('c', 'f2', ['b', 'c']),
      view('a', 'f1', ['a', 'b', 'c']),
      view('b', 'f1', ['a', 'b', 'c']),
    ]);
    expect(a).toEqual({
      agree: false,
      fingerprints: [
        { fingerprint: 'f1', viewers: ['a', 'b'] },
        { fingerprint: 'f2', viewers: ['c'] },
      ],
      healthySets: [
        { healthy: ['a', 'b', 'c'], viewers: ['a', 'b'] },
        { healthy: ['b', 'c'], viewers: ['c'] },
      ],
      unreachable: [],
    });
  });

  test('equal groups are ordered by their smallest viewer, so the page does not flicker', () => {
    const a = compareViews([view('b', 'f2', ['a']), view('a', 'f1', ['a'])]);
    expect(a.fingerprints.map((g) => g.fingerprint)).toEqual(['f1', 'f2']);
  });

  test('a healthy node that did not answer is a disagreement: its view is unknown', () => {
    const a = compareViews([
      view('a', 'f1', ['a', 'b']),
      { nodeId: 'b', host: 'http://b', reachable: false, error: 'timed out' },
    ]);
    expect(a).toEqual({
      agree: false,
      fingerprints: [{ fingerprint: 'f1', viewers: ['a'] }],
      healthySets: [{ healthy: ['a', 'b'], viewers: ['a'] }],
      unreachable: ['b'],
    });
  });

  test('an empty healthy set is a set like any other', () => {
    expect(compareViews([view('a', 'f0', [])]).healthySets).toEqual([{ healthy: [], viewers: ['a'] }]);
  });
});
