// defineProtocol, routesFrom and handles: validation at run time and the types they give.

import { describe, expect, expectTypeOf, it } from 'vitest';
import { CodecError, InvalidProtocolError } from './errors.js';
import {
  codecOf,
  defineProtocol,
  handles,
  handlesMessage,
  type ReplyOf,
  type RequestOf,
  routesByMsgId,
  routesFrom,
  routesOf,
  type,
} from './protocol.js';

const Game = defineProtocol({
  add: { msgId: 8, rule: 'pass', request: type<{ a: number; b: number }>(), reply: type<{ sum: number }>() },
  echo: { msgId: 1, rule: 'pass', codec: 'raw', request: type<Uint8Array>(), reply: type<Uint8Array>() },
  shout: { msgId: 4, request: type<{ text: string }>(), push: type<{ from: string; text: string }>() },
  news: { msgId: 9, codec: 'json', push: type<{ headline: string }>() },
});

describe('defineProtocol', () => {
  it('resolves defaults and keeps definition order', () => {
    expect(Game.add).toEqual({
      name: 'add',
      msgId: 8,
      rule: 'pass',
      codec: 'msgpack',
      hasRequest: true,
      hasReply: true,
      hasPush: false,
    });
    expect(Game.shout.rule).toBe('auth');
    expect(routesOf(Game).map((r) => r.name)).toEqual(['add', 'echo', 'shout', 'news']);
    expect(routesByMsgId(Game).get(4)).toBe(Game.shout);
    expect(Object.isFrozen(Game) && Object.isFrozen(Game.add)).toBe(true);
  });

  it('refuses duplicate and out-of-range msgIds, unknown rules and codecs, and empty routes', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [
        { a: { msgId: 1, request: type() }, b: { msgId: 1, request: type() } },
        /route b: msgId 1 is already used by a/,
      ],
      [{ a: { msgId: 0, request: type() } }, /outside the application range/],
      [{ a: { msgId: 0x80000000, request: type() } }, /outside the application range/],
      [{ a: { msgId: 2, rule: 'block', request: type() } }, /rule must be one of/],
      [{ a: { msgId: 2, codec: 'protobuf', request: type() } }, /codec must be one of/],
      [{ a: { msgId: 2 } }, /declares a request, a push, or both/],
      [{ a: { msgId: 2, reply: type() } }, /a reply needs a request/],
    ];
    for (const [spec, message] of bad) {
      expect(() => defineProtocol(spec as never)).toThrow(InvalidProtocolError);
      expect(() => defineProtocol(spec as never)).toThrow(message);
    }
  });

  it('gives each route its codec', () => {
    expect(codecOf(Game.add).decode(codecOf(Game.add).encode({ a: 1, b: 2 }))).toEqual({ a: 1, b: 2 });
    expect(codecOf(Game.news).decode(new TextEncoder().encode('{"headline":"x"}'))).toEqual({
      headline: 'x',
    });
    const bytes = new Uint8Array([1, 2]);
    expect(codecOf(Game.echo).encode(bytes)).toBe(bytes);
    expect(() => codecOf(Game.echo).encode('text')).toThrow(CodecError);
    expect(() => codecOf(Game.news).decode(new Uint8Array([0x7b]))).toThrow(CodecError);
    // An empty body stands for "no value": undefined in msgpack and json, empty bytes in raw.
    for (const route of [Game.add, Game.news])
      expect(codecOf(route).decode(codecOf(route).encode(undefined))).toBeUndefined();
    expect(codecOf(Game.echo).encode(undefined)).toEqual(new Uint8Array(0));
  });

  it('types payloads from the definition', () => {
    expectTypeOf<RequestOf<typeof Game.add>>().toEqualTypeOf<{ a: number; b: number }>();
    expectTypeOf<ReplyOf<typeof Game.add>>().toEqualTypeOf<{ sum: number }>();
    // @ts-expect-error the raw codec carries bytes only
    defineProtocol({ bad: { msgId: 3, codec: 'raw', request: type<{ a: number }>() } });
  });
});

describe('routesFrom', () => {
  const targets = {
    add: { service: 2, handler: 'add' },
    echo: { service: 2, handler: 'echo' },
    shout: { service: 3, handler: 'shout' },
  };

  it('pairs every route that takes a request with its target', () => {
    const table = routesFrom(Game, targets);
    expect(table).toEqual([
      { service: 2, handler: 'add', name: 'add', msgId: 8, rule: 'pass', codec: 'msgpack' },
      { service: 2, handler: 'echo', name: 'echo', msgId: 1, rule: 'pass', codec: 'raw' },
      { service: 3, handler: 'shout', name: 'shout', msgId: 4, rule: 'auth', codec: 'msgpack' },
    ]);
    expectTypeOf(table[0]!.service).toEqualTypeOf<number>();
  });

  it('refuses a missing target, an unknown route and a target for a push-only route', () => {
    // @ts-expect-error shout has no target
    expect(() => routesFrom(Game, { add: targets.add, echo: targets.echo })).toThrow(/shout: has no target/);
    // @ts-expect-error nope is not a route
    expect(() => routesFrom(Game, { ...targets, nope: targets.add })).toThrow(/nope: is not in the protocol/);
    // @ts-expect-error news is push-only
    expect(() => routesFrom(Game, { ...targets, news: targets.add })).toThrow(/news: is push-only/);
  });
});

describe('handlesMessage', () => {
  it('tags a handler of gateway messages with its route', () => {
    const add = handlesMessage(Game.add, (_state: unknown, m) => ({ sum: m.data.a + m.data.b }));
    expect(add.route).toBe(Game.add);
    expect(add(undefined, { data: { a: 2, b: 3 } })).toEqual({ sum: 5 });
  });
});

describe('handles', () => {
  it('types a backend handler from its route and tags it with the route', () => {
    const add = handles(Game.add, (_state: { calls: number }, req) => ({ sum: req.a + req.b }));
    expect(add.route).toBe(Game.add);
    expect(add({ calls: 0 }, { a: 1, b: 2 })).toEqual({ sum: 3 });
    const shout = handles(Game.shout, (_state: unknown, req) => {
      expectTypeOf(req).toEqualTypeOf<{ text: string }>();
    });
    expect(shout(undefined, { text: 'hi' })).toBeUndefined();
    // @ts-expect-error the reply must be { sum: number }
    handles(Game.add, (_s: unknown, req) => ({ sum: String(req.a) }));
    // @ts-expect-error the request has no field c
    handles(Game.add, (_s: unknown, req) => ({ sum: req.c }));
    handles(Game.add, async (_s: unknown, req) => ({ sum: req.a }));
  });
});
