// Route specs: defaults, validation naming the field, config shapes, tables, routes from a typed protocol.
import { defineProtocol, routesFrom, type } from '@troupe/client/protocol';
import { describe, expect, it } from 'vitest';
import { RouteConfigError } from './errors.js';
import { resolveGatewayOptions } from './options.js';
import { DEFAULT_ROUTE_ACTOR, parseRoute, parseRouteConfig, RouteTable } from './routes.js';

describe('routes', () => {
  it('fills defaults: auth rule, random strategy, msgpack codec, the default actor', () => {
    const r = parseRoute({ msgId: 8, service: 2, handler: 'add' });
    expect(r).toEqual({
      msgId: 8,
      name: 'msg8',
      service: 2,
      actor: DEFAULT_ROUTE_ACTOR,
      handler: 'add',
      rule: 'auth',
      strategy: 'random',
      codec: 'msgpack',
    });
    expect(Object.isFrozen(r)).toBe(true);
  });

  it('names the route and the field of a bad spec', () => {
    expect(() => parseRoute({ msgId: 0x80000000, service: 2, handler: 'x' })).toThrow(/msgId must be/);
    expect(() => parseRoute({ msgId: 3, service: 2, handler: 'x', rule: 'open' })).toThrow(
      /msgId 3\).*rule must be one of block, pass, auth/,
    );
    expect(() => parseRoute({ msgId: 3, service: 256, handler: 'x' })).toThrow(/service must be/);
    expect(() => parseRoute({ msgId: 3, service: 2 })).toThrow(RouteConfigError);
    expect(() => parseRoute({ msgId: 3, service: 2, handler: 'x', strategy: 'hash(uid)' })).toThrow(
      /strategy/,
    );
  });

  it('a block route needs no backend', () => {
    expect(parseRoute({ msgId: 9, rule: 'block' }).rule).toBe('block');
  });

  it('reads arrays, {routes: [...]} and {routes: {msgId: spec}}', () => {
    const spec = { service: 2, handler: 'echo', codec: 'raw', rule: 'pass' };
    const a = parseRouteConfig([{ msgId: 1, ...spec }]);
    const b = parseRouteConfig({ routes: [{ msgId: 1, ...spec }] });
    const c = parseRouteConfig({ routes: { '1': spec } });
    expect(a).toEqual(b);
    expect(b).toEqual(c);
    expect(() => parseRouteConfig('nope')).toThrow(RouteConfigError);
  });

  it('refuses a msgId routed twice, overlays replace by msgId, unknown ids are absent', () => {
    const one = parseRoute({ msgId: 1, service: 2, handler: 'a' });
    expect(() => new RouteTable([one, one])).toThrow(/routed twice/);
    const table = new RouteTable([one]).overlay([parseRoute({ msgId: 1, service: 3, handler: 'b' })]);
    expect(table.get(1)?.service).toBe(3);
    expect(table.get(2)).toBeUndefined();
    expect(table.size).toBe(1);
  });
});

describe('routes from a typed protocol', () => {
  it('accepts routesFrom entries: wire facts from the protocol, targets from the table', () => {
    const Game = defineProtocol({
      add: {
        msgId: 8,
        rule: 'pass',
        request: type<{ a: number; b: number }>(),
        reply: type<{ sum: number }>(),
      },
      echo: { msgId: 1, rule: 'pass', codec: 'raw', request: type<Uint8Array>(), reply: type<Uint8Array>() },
    });
    // The entries go to the gateway as they are (their widened `strategy: string` is checked at run time).
    const options = resolveGatewayOptions({
      routes: routesFrom(Game, {
        add: { service: 2, handler: 'add', strategy: 'roundRobin' },
        echo: { service: 2, handler: 'echo' },
      }),
    });
    const table = new RouteTable(parseRouteConfig(options.routes));
    expect(table.get(8)).toMatchObject({
      name: 'add',
      rule: 'pass',
      strategy: 'roundRobin',
      codec: 'msgpack',
    });
    expect(table.get(1)).toMatchObject({ name: 'echo', codec: 'raw', actor: DEFAULT_ROUTE_ACTOR });
  });
});
