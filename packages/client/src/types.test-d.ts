// Type tests: one protocol definition types the client, the route table and backend handlers; a wrong payload
// is a compile error on each side. `types.test.ts` runs the checker over this file inside vitest.

import { describe, expectTypeOf, it } from 'vitest';
import {
  type Client,
  connect,
  defineProtocol,
  type HandlerOf,
  handles,
  handlesMessage,
  type RemoteError,
  type ReplyOf,
  type RequestOf,
  routesFrom,
  type StateChange,
  type,
  type Unsubscribe,
} from './index.js';

const Game = defineProtocol({
  add: { msgId: 8, rule: 'pass', request: type<{ a: number; b: number }>(), reply: type<{ sum: number }>() },
  echo: { msgId: 1, rule: 'pass', codec: 'raw', request: type<Uint8Array>(), reply: type<Uint8Array>() },
  shout: {
    msgId: 4,
    rule: 'auth',
    request: type<{ text: string }>(),
    push: type<{ from: string; text: string }>(),
  },
  whoami: { msgId: 3, request: type<void>(), reply: type<{ uid: string; gateway: string }>() },
  news: { msgId: 9, codec: 'json', push: type<{ headline: string }>() },
});
type Game = typeof Game;

declare const client: Client<Game>;
declare const plain: Client;

describe('client side', () => {
  it('types call, send and on from the protocol', () => {
    expectTypeOf(client.call.add({ a: 1, b: 2 })).toEqualTypeOf<Promise<{ sum: number }>>();
    expectTypeOf(client.call.add({ a: 1, b: 2 }, { timeoutMs: 5 })).toEqualTypeOf<Promise<{ sum: number }>>();
    expectTypeOf(client.call.echo(new Uint8Array(1))).toEqualTypeOf<Promise<Uint8Array>>();
    expectTypeOf(client.call.whoami()).toEqualTypeOf<Promise<{ uid: string; gateway: string }>>();
    expectTypeOf(client.send.shout({ text: 'hi' })).toEqualTypeOf<void>();
    expectTypeOf(client.on.shout).parameter(0).parameter(0).toEqualTypeOf<{ from: string; text: string }>();
    expectTypeOf(client.on.news((n) => n.headline)).toEqualTypeOf<Unsubscribe>();
    client.on(Game.shout, (push) => expectTypeOf(push).toEqualTypeOf<{ from: string; text: string }>());
    client.on('state', (change) => expectTypeOf(change).toEqualTypeOf<StateChange>());
    client.on(4, (payload) => expectTypeOf(payload).toEqualTypeOf<Uint8Array>());
    expectTypeOf(client.request(Game.add, { a: 1, b: 2 })).toEqualTypeOf<Promise<{ sum: number }>>();
    expectTypeOf(client.request(8, new Uint8Array(0))).toEqualTypeOf<Promise<Uint8Array>>();
  });

  it('refuses a wrong payload, a missing one, and routes that do not carry that direction', () => {
    // @ts-expect-error b must be a number
    client.call.add({ a: 1, b: '2' });
    // @ts-expect-error b is missing
    client.call.add({ a: 1 });
    // @ts-expect-error the payload is required
    client.call.add();
    // @ts-expect-error the reply has no field total
    client.call.add({ a: 1, b: 2 }).then((r) => r.total);
    // @ts-expect-error the raw codec takes bytes
    client.call.echo('text');
    // @ts-expect-error shout declares no reply: send it, do not call it
    client.call.shout({ text: 'hi' });
    // @ts-expect-error news is push-only: nothing to send
    client.send.news({ headline: 'x' });
    // @ts-expect-error text must be a string
    client.send.shout({ text: 1 });
    // @ts-expect-error add declares no push
    client.on.add(() => {});
    // @ts-expect-error add declares no push
    client.on(Game.add, () => {});
    // @ts-expect-error a push listener gets the push type
    client.on.shout((push: { headline: string }) => push);
    // @ts-expect-error a route request takes the route's payload
    client.request(Game.add, { a: 1 });
    // @ts-expect-error a msgId request takes bytes
    client.request(8, { a: 1, b: 2 });
    // @ts-expect-error an untyped client has no proxies
    plain.call.add({ a: 1, b: 2 });
  });

  it('infers the protocol from connect options', async () => {
    const c = await connect('ws://127.0.0.1:1', { protocol: Game });
    expectTypeOf(c.call.add).returns.toEqualTypeOf<Promise<{ sum: number }>>();
    expectTypeOf<RemoteError['code']>().toEqualTypeOf<string>();
  });
});

describe('backend side', () => {
  it('types handlers from a route', () => {
    const add = handles(Game.add, (_state: { n: number }, req) => {
      expectTypeOf(req).toEqualTypeOf<{ a: number; b: number }>();
      return { sum: req.a + req.b };
    });
    expectTypeOf(add.route).toEqualTypeOf<Game['add']>();
    handles(Game.shout, (_state: unknown, req) => {
      expectTypeOf(req.text).toBeString();
    });
    const typed: HandlerOf<Game['whoami']> = () => ({ uid: 'u', gateway: '1.1.1' });
    expectTypeOf(typed).returns.toEqualTypeOf<
      { uid: string; gateway: string } | Promise<{ uid: string; gateway: string }>
    >();
    expectTypeOf<RequestOf<Game['add']>>().toEqualTypeOf<{ a: number; b: number }>();
    expectTypeOf<ReplyOf<Game['add']>>().toEqualTypeOf<{ sum: number }>();
  });

  it('types handlers that receive the gateway message ({ session, uid, data })', () => {
    interface GatewayMessage<T = unknown> {
      session: string;
      uid: string | undefined;
      data: T;
    }
    const add = handlesMessage(Game.add, (_state: unknown, m: GatewayMessage<{ a: number; b: number }>) => ({
      sum: m.data.a + m.data.b,
    }));
    expectTypeOf(add).parameter(1).toEqualTypeOf<GatewayMessage<{ a: number; b: number }>>();
    handlesMessage(Game.whoami, (_state: unknown, m) => {
      expectTypeOf(m.data).toEqualTypeOf<void>();
      return { uid: 'u', gateway: '1.1.1' };
    });
    // @ts-expect-error the message's data must be the route's request
    handlesMessage(Game.add, (_state: unknown, m: GatewayMessage<{ a: string }>) => ({
      sum: Number(m.data.a),
    }));
    // @ts-expect-error an untyped message does not carry the request
    handlesMessage(Game.add, (_state: unknown, _m: GatewayMessage) => ({ sum: 1 }));
    // @ts-expect-error the reply must be { sum: number }
    handlesMessage(Game.add, (_state: unknown, m) => ({ sum: String(m.data.a) }));
  });

  it('refuses a wrong reply or request field', () => {
    // @ts-expect-error the reply must be { sum: number }
    handles(Game.add, () => ({ sum: 'three' }));
    // @ts-expect-error the reply is missing sum
    handles(Game.add, () => ({ total: 3 }));
    // @ts-expect-error the request has no field c
    handles(Game.add, (_s: unknown, req) => ({ sum: req.c }));
    // @ts-expect-error a route without a reply returns nothing
    handles(Game.shout, () => ({ ok: true }));
    // @ts-expect-error async replies are checked too
    handles(Game.add, async () => ({ sum: '3' }));
  });
});

describe('route table', () => {
  it('needs a target for every route with a request, and none for others', () => {
    const target = { service: 2, handler: 'h' };
    const table = routesFrom(Game, { add: target, echo: target, shout: target, whoami: target });
    expectTypeOf(table[0]!.service).toEqualTypeOf<number>();
    // @ts-expect-error whoami has no target
    routesFrom(Game, { add: target, echo: target, shout: target });
    // @ts-expect-error news is push-only
    routesFrom(Game, { add: target, echo: target, shout: target, whoami: target, news: target });
    // @ts-expect-error typo is not a route
    routesFrom(Game, { add: target, echo: target, shout: target, whoami: target, typo: target });
  });

  it('refuses a raw route whose payloads are not bytes', () => {
    // @ts-expect-error the raw codec carries Uint8Array only
    defineProtocol({ bin: { msgId: 5, codec: 'raw', request: type<string>() } });
  });
});
