import { Addr, type Frame } from '@troupe/transport';
import { describe, expect, it } from 'vitest';
import { frameOf } from './frame.fixture.js';
import { FrameKinds } from './frames.js';
import { FrameKindTakenError, InvalidFrameKindError } from './seam-errors.js';

const SELF = Addr.parse('1.1.1');
const PEER = Addr.parse('1.2.1');
const OTHER = Addr.parse('1.3.1');

function registry() {
  const unclaimed: string[] = [];
  const kinds = new FrameKinds(SELF, (_f, _via, reason) => unclaimed.push(reason));
  return { kinds, unclaimed };
}

describe('FrameKinds', () => {
  it('dispatches a frame for this node to the handler of its kind, with the peer it came from', () => {
    const { kinds, unclaimed } = registry();
    const seen: Array<[number, unknown]> = [];
    kinds.claim(130, (frame: Frame, via) => seen.push([frame.kind, via]), 'ext');
    kinds.claim(131, (frame: Frame, via) => seen.push([frame.kind, via]), 'ext');
    kinds.dispatch(frameOf(131, SELF, PEER, []), PEER);
    kinds.dispatch(frameOf(130, SELF, PEER, []), PEER);
    expect(seen).toEqual([
      [131, PEER],
      [130, PEER],
    ]);
    expect(kinds.owner(130)).toBe('ext');
    expect(unclaimed).toEqual([]);
  });

  it('reports an unknown kind, and a frame for another node when nobody relays', () => {
    const { kinds, unclaimed } = registry();
    kinds.dispatch(frameOf(200, SELF, PEER, []), PEER);
    kinds.dispatch(frameOf(130, OTHER, PEER, []), PEER);
    expect(unclaimed).toEqual(['unknown frame kind 200', 'misrouted frame from 1.2.1']);
  });

  it('sends frames for other nodes to the one transit handler, whatever their kind', () => {
    const { kinds, unclaimed } = registry();
    const relayed: number[] = [];
    kinds.claim(130, () => relayed.push(-1), 'ext');
    kinds.claimTransit((frame) => relayed.push(frame.to), 'relay');
    kinds.dispatch(frameOf(130, OTHER, PEER, []), PEER);
    expect(relayed).toEqual([OTHER]);
    expect(unclaimed).toEqual([]);
    expect(() => kinds.claimTransit(() => {}, 'second')).toThrow(FrameKindTakenError);
  });

  it('refuses a second claim of a kind and kinds outside 16..255', () => {
    const { kinds } = registry();
    kinds.claim(16, () => {}, 'core');
    expect(() => kinds.claim(16, () => {}, 'ext')).toThrow(/already claimed by core \(wanted by ext\)/);
    expect(() => kinds.claim(15, () => {}, 'ext')).toThrow(InvalidFrameKindError);
    expect(() => kinds.claim(256, () => {}, 'ext')).toThrow(InvalidFrameKindError);
    expect(() => kinds.claim(1.5, () => {}, 'ext')).toThrow(InvalidFrameKindError);
  });
});
