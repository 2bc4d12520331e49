import { Addr, ClosedError } from '@troupe/transport';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActorCell } from '../actor/cell.js';
import type { Envelope } from '../actor/envelope.js';
import { ActorNotFoundError, UnreachableError } from '../errors.js';
import { AskTable } from './asks.js';
import { LocalDelivery } from './delivery.js';
import type { Outbound } from './outbound.js';
import { Kind } from './protocol.js';
import { MessageRouter, type RouterHost } from './router.js';

const SELF = Addr.parse('1.1.1');
const PEER = Addr.parse('1.2.1');

/** A fake outbound: records frames, routes directly unless told the target is unreachable. */
function fakeOut() {
  const sent: Array<{ to: number; kind: number; head?: string; body: unknown }> = [];
  const unreachable = new Set<number>();
  const out = {
    calls: {
      head: (askId: number, target: string, handler: string, sender?: string) =>
        `${askId}:${target}.${handler}<${sender ?? ''}`,
    },
    route(_from: number, to: number) {
      if (unreachable.has(to)) throw new UnreachableError(`no path to ${to}`);
      return to;
    },
    farHarbor: () => undefined,
    call(to: number, kind: number, head: string, arg: unknown) {
      sent.push({ to, kind, head, body: arg });
    },
    send(to: number, kind: number, body: unknown) {
      sent.push({ to, kind, body });
      return to;
    },
  };
  return { out: out as unknown as Outbound, sent, unreachable };
}

let asks: AskTable | undefined;
afterEach(() => {
  asks?.rejectAll(new ClosedError('test over'));
  asks = undefined;
});

function setup() {
  const cells = new Map<string, { got: Envelope[]; enqueue(env: Envelope): void }>();
  const spawnFake = (name: string) => {
    const cell = {
      got: [] as Envelope[],
      enqueue(env: Envelope) {
        cell.got.push(env);
      },
    };
    cells.set(name, cell);
    return cell;
  };
  const letters: string[] = [];
  const deadLetter = (to: { name: string }, handler: string, reason: string) =>
    letters.push(`${to.name}.${handler}: ${reason}`);
  const delivery = new LocalDelivery({
    addr: SELF,
    cell: (name) => cells.get(name) as unknown as ActorCell | undefined,
    deadLetter,
    hookFailed: () => {},
  });
  const { out, sent, unreachable } = fakeOut();
  asks = new AskTable();
  const host: RouterHost = { addr: SELF, closed: false, askTimeoutMs: 1000, delivery, asks, out, deadLetter };
  return { host, router: new MessageRouter(host), spawnFake, letters, sent, unreachable, asks };
}

describe('MessageRouter', () => {
  it('tells and asks local actors through the delivery path; a missing one is a dead letter or ActorNotFoundError', async () => {
    const { router, spawnFake, letters } = setup();
    const cell = spawnFake('a');
    router.tell({ node: SELF, name: 'a' }, 'add', 1, { node: SELF, name: 'me' });
    const reply = router.ask({ node: SELF, name: 'a' }, 'get', undefined, undefined, undefined);
    expect(cell.got.map((e) => [e.handler, e.arg, e.senderName])).toEqual([
      ['add', 1, 'me'],
      ['get', undefined, undefined],
    ]);
    cell.got[1]!.replier!.ok(5);
    expect(await reply).toBe(5);
    router.tell({ node: SELF, name: 'ghost' }, 'x', 1, undefined);
    expect(letters).toEqual(['ghost.x: actor not found']);
    await expect(
      router.ask({ node: SELF, name: 'ghost' }, 'x', 1, undefined, undefined),
    ).rejects.toBeInstanceOf(ActorNotFoundError);
  });

  it('sends remote tells and asks as call frames and tracks the ask until its reply', async () => {
    const { router, sent, asks } = setup();
    router.tell({ node: PEER, name: 'b' }, 'add', 1, undefined);
    const pending = router.ask(
      { node: PEER, name: 'b' },
      'get',
      2,
      { timeoutMs: 500 },
      { node: SELF, name: 'me' },
    );
    expect(sent).toEqual([
      { to: PEER, kind: Kind.Tell, head: '-1:b.add<', body: 1 },
      { to: PEER, kind: Kind.Ask, head: expect.stringMatching(/^\d+:b\.get<me$/), body: 2 },
    ]);
    expect(asks.size).toBe(1);
    const id = Number((sent[1]!.head as string).split(':')[0]);
    asks.get(id)!.ok('done');
    expect(await pending).toBe('done');
    expect(asks.size).toBe(0);
  });

  it('fails an ask with no route at once, and refuses local sends after close', async () => {
    const { router, unreachable, host, spawnFake } = setup();
    unreachable.add(PEER);
    await expect(
      router.ask({ node: PEER, name: 'b' }, 'get', 1, undefined, undefined),
    ).rejects.toBeInstanceOf(UnreachableError);
    spawnFake('a');
    (host as { closed: boolean }).closed = true;
    expect(() => router.tell({ node: SELF, name: 'a' }, 'x', 1, undefined)).toThrow(ClosedError);
    await expect(router.ask({ node: SELF, name: 'a' }, 'x', 1, undefined, undefined)).rejects.toBeInstanceOf(
      ClosedError,
    );
  });

  it('multicasts one frame to a remote node, and straight into local mailboxes', () => {
    const { router, sent, spawnFake, letters } = setup();
    router.multicast(PEER, ['r1', 'r2'], 'push', { n: 1 }, { node: SELF, name: 'gate' });
    expect(sent).toEqual([
      { to: PEER, kind: Kind.Multicast, body: [['r1', 'r2'], 'push', 'gate', { n: 1 }] },
    ]);
    const r1 = spawnFake('r1');
    const r2 = spawnFake('r2');
    router.multicast(SELF, ['r1', 'gone', 'r2'], 'push', 'hi');
    expect([...r1.got, ...r2.got].map((e) => [e.handler, e.arg])).toEqual([
      ['push', 'hi'],
      ['push', 'hi'],
    ]);
    expect(letters).toEqual(['gone.push: actor not found']);
  });
});
