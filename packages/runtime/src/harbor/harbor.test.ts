import { Addr, type WireError } from '@troupe/transport';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { UnreachableError } from '../errors.js';
import { frameOf } from '../node/frame.fixture.js';
import { Kind } from '../node/protocol.js';
import { Harbor, type HarborHost } from './harbor.js';

const HARBOR = Addr.parse('1.255.1');
const LOCAL = Addr.parse('1.2.1');
const FAR_HARBOR = Addr.parse('2.255.1');
const FAR = Addr.parse('2.2.1');

/** A fake node: fixed routes, a set of live members, and a record of what the harbor sends. */
function fakeHost(routes: Record<string, Addr>, alive: Addr[]) {
  const raw: Array<{ via: Addr; hops: number; to: number }> = [];
  const failed: Array<{ to: Addr; askId: number; error: WireError; from: Addr | undefined }> = [];
  const control: Array<{ to: Addr; kind: number; body: unknown[]; from: Addr | undefined }> = [];
  let sendFails = false;
  const host: HarborHost = {
    addr: HARBOR,
    log: pino({ level: 'silent' }),
    route(from, to) {
      const via = routes[`${Addr.format(from)}>${Addr.format(to)}`];
      if (via === undefined) throw new UnreachableError(`no route to ${Addr.format(to)}`);
      return via;
    },
    isAlive: (addr) => alive.includes(addr),
    sendRaw(via, bytes) {
      if (sendFails) throw new Error('link gone');
      raw.push({ via, hops: bytes[6]!, to: Buffer.from(bytes).readUInt32BE(7) });
    },
    failAsk: (to, askId, error, from) => failed.push({ to, askId, error, from }),
    control: (to, kind, body, from) => control.push({ to, kind, body, from }),
  };
  return {
    host,
    raw,
    failed,
    control,
    breakLinks: () => {
      sendFails = true;
    },
  };
}

/** An ask frame body: u32 askId first (the rest does not matter to a harbor). */
const askBody = (id: number) => {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(id, 0);
  return b;
};

describe('Harbor forwarding', () => {
  it('relays by header alone toward the route, one hop fewer, and counts it', () => {
    const f = fakeHost({ '1.2.1>2.2.1': FAR_HARBOR }, [LOCAL, FAR_HARBOR]);
    const harbor = new Harbor(f.host);
    const frame = frameOf(Kind.Tell, FAR, LOCAL, new Uint8Array([1, 2, 3]), 4);
    harbor.forward(frame, LOCAL);
    expect(f.raw).toEqual([{ via: FAR_HARBOR, hops: 3, to: FAR }]);
    expect(harbor.stats()).toEqual({ framesForwarded: 1, bytesForwarded: frame.raw.length, dropped: {} });
  });

  it('answers an ask it cannot carry with UNREACHABLE, speaking for the target', () => {
    const f = fakeHost({}, [LOCAL]);
    const harbor = new Harbor(f.host);
    harbor.forward(frameOf(Kind.Ask, FAR, LOCAL, askBody(42)), LOCAL);
    expect(f.failed).toEqual([
      { to: LOCAL, askId: 42, error: { code: 'UNREACHABLE', message: 'no route to 2.2.1' }, from: FAR },
    ]);
    expect(harbor.stats().dropped).toEqual({ 'no route': 1 });
  });

  it('drops at the hop limit, for a dead local target, on a loop and on a failed send', () => {
    const routes = {
      '2.2.1>1.2.1': LOCAL,
      '2.2.1>1.2.2': LOCAL,
      '1.2.1>2.2.1': LOCAL,
      '1.2.1>2.3.1': FAR_HARBOR,
    };
    const f = fakeHost(routes, [LOCAL, FAR_HARBOR]);
    const harbor = new Harbor(f.host);
    harbor.forward(frameOf(Kind.Ask, LOCAL, FAR, askBody(1), 0), FAR_HARBOR);
    harbor.forward(frameOf(Kind.Ask, Addr.parse('1.2.2'), FAR, askBody(2)), FAR_HARBOR);
    harbor.forward(frameOf(Kind.Tell, FAR, LOCAL, new Uint8Array(1)), LOCAL);
    f.breakLinks();
    harbor.forward(frameOf(Kind.Tell, Addr.parse('2.3.1'), LOCAL, new Uint8Array(1)), LOCAL);
    expect(harbor.stats().dropped).toEqual({
      'hop limit': 1,
      'unknown target': 1,
      loop: 1,
      'send failed': 1,
    });
    expect(f.failed.map((x) => x.askId)).toEqual([1, 2]);
    expect(f.raw).toEqual([]);
  });

  it('answers a watch it cannot carry with Terminated for the watched actor', () => {
    const f = fakeHost({}, [LOCAL]);
    const harbor = new Harbor(f.host);
    harbor.forward(frameOf(Kind.Watch, FAR, LOCAL, ['room']), LOCAL);
    expect(f.control).toEqual([
      { to: LOCAL, kind: Kind.Terminated, body: ['room', 'unreachable: no route to 2.2.1'], from: FAR },
    ]);
  });

  it('tells the nodes that asked or watched through it when their target goes down', () => {
    const f = fakeHost({ '2.2.1>1.2.1': LOCAL, '1.2.1>2.2.1': FAR_HARBOR }, [LOCAL, FAR_HARBOR]);
    const harbor = new Harbor(f.host);
    // FAR asks LOCAL through this harbor; LOCAL watches FAR through the next harbor.
    harbor.forward(frameOf(Kind.Ask, LOCAL, FAR, askBody(5)), FAR_HARBOR);
    harbor.forward(frameOf(Kind.Watch, FAR, LOCAL, ['x']), LOCAL);
    harbor.peerDown(FAR_HARBOR, 'closed');
    harbor.peerDown(LOCAL, 'heartbeat timeout');
    // Once gone, a peer is nobody's waiter any more: a second report tells nobody.
    harbor.peerDown(FAR_HARBOR, 'closed');
    expect(f.control).toEqual([
      { to: LOCAL, kind: Kind.NodeDown, body: [FAR_HARBOR, 'closed'], from: FAR_HARBOR },
      { to: FAR, kind: Kind.NodeDown, body: [LOCAL, 'heartbeat timeout'], from: LOCAL },
    ]);
  });
});
