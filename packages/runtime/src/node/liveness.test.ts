// Liveness with a real member table: peers down and gone, harbor paths, probes on fake timers.
import { Addr, NodeDownError } from '@troupe/transport';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Terminated } from '../actor/define.js';
import type { MemberRecord } from '../membership/provider.js';
import { MemberTable } from '../membership/table.js';
import { AskTable } from './asks.js';
import { Liveness } from './liveness.js';
import { Kind } from './protocol.js';
import { WatchRegistry } from './watches.js';

const SELF = Addr.parse('1.2.1');
const PEER = Addr.parse('1.3.1');
const OWN_HARBOR = Addr.parse('1.255.1');
const FAR = Addr.parse('2.2.1');

const record = (addr: Addr): MemberRecord => ({
  addr,
  host: '127.0.0.1',
  port: 1,
  export: true,
  available: true,
  load: 0,
  incarnation: 'i',
  meta: {},
});

afterEach(() => {
  vi.useRealTimers();
});

/** Real table, asks and watches; the frames liveness would send are recorded. */
function setup(members: Addr[]) {
  const table = new MemberTable(SELF);
  table.applyView({ members: [SELF, ...members].map(record) });
  const asks = new AskTable();
  const watches = new WatchRegistry(SELF, {
    sendWatch: () => {},
    sendUnwatch: () => {},
    sendTerminated: () => {},
    onListenerError: () => {},
  });
  const sent: Array<[number, number]> = [];
  const liveness = new Liveness({
    addr: SELF,
    table,
    asks,
    watches,
    control: (to, kind) => sent.push([to, kind]),
    listenerFailed: () => {},
  });
  // What the node wires: a member reported down is gone for its waiters.
  table.on('memberDown', (m, reason) => liveness.peerGone(m.addr, reason));
  return { table, asks, watches, liveness, sent };
}

describe('Liveness', () => {
  it('a member whose link goes down fails its asks and watches, and tells listeners once', async () => {
    const { asks, watches, liveness } = setup([PEER]);
    const ask = asks.create({ node: PEER, name: 'a' }, 'get', 5000, undefined);
    asks.track(ask, PEER, PEER, undefined);
    const terminated: Terminated[] = [];
    watches.add({ node: PEER, name: 'a' }, { deliver: (t) => terminated.push(t) });
    const gone: string[] = [];
    liveness.peerGoneListeners.add((peer, reason) => gone.push(`${Addr.format(peer)} ${reason}`));
    liveness.peerDown(PEER, 'heartbeat timeout');
    liveness.peerDown(PEER, 'again');
    await expect(ask.promise).rejects.toBeInstanceOf(NodeDownError);
    expect(terminated).toEqual([{ ref: { node: PEER, name: 'a' }, reason: 'node down: heartbeat timeout' }]);
    expect(gone).toEqual(['1.3.1 heartbeat timeout']);
  });

  it('a peer outside the view is gone for its waiters directly; heard again only after it came back', async () => {
    const { liveness, asks } = setup([]);
    const gone: number[] = [];
    liveness.peerGoneListeners.add((peer) => gone.push(peer));
    liveness.peerDown(PEER, 'closed');
    // A failed re-dial: the ask sent meanwhile fails, listeners are not told twice.
    const ask = asks.create({ node: PEER, name: 'a' }, 'get', 5000, undefined);
    asks.track(ask, PEER, PEER, undefined);
    liveness.peerDown(PEER, 'dial failed');
    await expect(ask.promise).rejects.toBeInstanceOf(NodeDownError);
    expect(gone).toEqual([PEER]);
    liveness.peerBack(PEER);
    liveness.peerDown(PEER, 'closed');
    expect(gone).toEqual([PEER, PEER]);
  });

  it('fires watches across groups when the last harbor on their path goes down', () => {
    const { watches, liveness } = setup([OWN_HARBOR, FAR]);
    const terminated: string[] = [];
    watches.add({ node: FAR, name: 'room' }, { deliver: (t) => terminated.push(t.reason) });
    liveness.peerDown(OWN_HARBOR, 'closed');
    expect(terminated).toEqual(['harbor path down: closed']);
  });

  it('probes members whose link is down every interval until stopped', () => {
    vi.useFakeTimers();
    const { table, liveness, sent } = setup([PEER]);
    table.linkDown(PEER, 'closed');
    liveness.start(100);
    vi.advanceTimersByTime(250);
    expect(sent).toEqual([
      [PEER, Kind.Probe],
      [PEER, Kind.Probe],
    ]);
    liveness.stop();
    vi.advanceTimersByTime(500);
    expect(sent).toHaveLength(2);
  });
});
