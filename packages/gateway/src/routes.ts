// The route table: msgId -> backend service, handler, rule, strategy and codec; validated at the boundary.
import { ROUTE_CODECS, type RouteCodec } from './codecs.js';
import { RouteConfigError } from './errors.js';

/** `block`: refused; `pass`: any session; `auth`: only after the session is authenticated. */
export type RouteRule = 'block' | 'pass' | 'auth';

/**
 * How a backend member of the route's service type is chosen: `hash` is rendezvous hashing on the
 * session's uid (its id before login); `bound` uses the node the session was bound to for that type
 * (`SessionRef.bind`) and falls back to `random` while it has none.
 */
export type RouteStrategy = 'random' | 'roundRobin' | 'leastLoad' | 'hash' | 'bound';

export const ROUTE_RULES: readonly RouteRule[] = ['block', 'pass', 'auth'];
export const ROUTE_STRATEGIES: readonly RouteStrategy[] = [
  'random',
  'roundRobin',
  'leastLoad',
  'hash',
  'bound',
];

/** The actor a route reaches on its backend node when the route names none. */
export const DEFAULT_ROUTE_ACTOR = 'service';
/** Rule of a route that names none (the typed protocol's default too). */
export const DEFAULT_ROUTE_RULE: RouteRule = 'auth';

/** A route as written in code, a config file or a KV entry. */
export interface RouteSpec {
  msgId: number;
  /** For logs and metrics; defaults to `msg<msgId>`. */
  name?: string;
  /** Node type of the backend service (the `t` of `g.t.p`). Not needed for `block`. */
  service?: number;
  /** Actor name on the backend node. Default `DEFAULT_ROUTE_ACTOR`. */
  actor?: string;
  /** Handler of that actor. Not needed for `block`. */
  handler?: string;
  rule?: RouteRule;
  strategy?: RouteStrategy;
  codec?: RouteCodec;
}

/** A validated route. */
export interface Route {
  readonly msgId: number;
  readonly name: string;
  readonly service: number;
  readonly actor: string;
  readonly handler: string;
  readonly rule: RouteRule;
  readonly strategy: RouteStrategy;
  readonly codec: RouteCodec;
}

/** Highest application msgId; everything above is refused or reserved. */
export const MAX_APP_MSG_ID = 0x7fffffff;

function fail(where: string, message: string): never {
  throw new RouteConfigError(`${where}: ${message}`);
}

function oneOf<T extends string>(
  where: string,
  field: string,
  value: unknown,
  allowed: readonly T[],
  dflt: T,
): T {
  if (value === undefined) return dflt;
  if (typeof value !== 'string' || !allowed.includes(value as T))
    fail(where, `${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

/** Validates one route spec (from an untrusted source) and fills its defaults. */
export function parseRoute(input: unknown, where = 'route'): Route {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail(where, 'must be an object');
  const spec = input as Record<string, unknown>;
  const msgId = spec.msgId;
  if (typeof msgId !== 'number' || !Number.isInteger(msgId) || msgId < 1 || msgId > MAX_APP_MSG_ID)
    fail(where, `msgId must be an integer in 1..${MAX_APP_MSG_ID}, got ${JSON.stringify(msgId)}`);
  const at = `${where} (msgId ${msgId})`;
  const rule = oneOf(at, 'rule', spec.rule, ROUTE_RULES, DEFAULT_ROUTE_RULE);
  const strategy = oneOf(at, 'strategy', spec.strategy, ROUTE_STRATEGIES, 'random');
  const codec = oneOf(at, 'codec', spec.codec, ROUTE_CODECS, 'msgpack');
  const name = spec.name ?? `msg${msgId}`;
  if (typeof name !== 'string' || name === '') fail(at, 'name must be a non-empty string');
  const actor = spec.actor ?? DEFAULT_ROUTE_ACTOR;
  if (typeof actor !== 'string' || actor === '') fail(at, 'actor must be a non-empty string');
  let service = spec.service;
  let handler = spec.handler;
  if (rule === 'block') {
    service ??= 0;
    handler ??= '';
  }
  if (typeof service !== 'number' || !Number.isInteger(service) || service < 0 || service > 255)
    fail(at, `service must be a node type in 0..255, got ${JSON.stringify(service)}`);
  if (typeof handler !== 'string' || (rule !== 'block' && handler === ''))
    fail(at, 'handler must be a non-empty string');
  return Object.freeze({ msgId, name, service, actor, handler, rule, strategy, codec });
}

/** Routes as code or a config object gives them: a list, `{routes: [...]}` or `{routes: {"<msgId>": {...}}}`. */
export type RouteConfig =
  | ReadonlyArray<RouteInput>
  | { routes: ReadonlyArray<RouteInput> | Record<string, Omit<RouteInput, 'msgId'>> };

/**
 * A route as code may hold it: a `RouteSpec`, or an entry of `routesFrom(...)` whose literal fields
 * widened to `string`. Every field is checked by `parseRoute` when the table is built.
 */
export type RouteInput =
  | RouteSpec
  | Route
  | (Omit<RouteSpec, 'rule' | 'strategy' | 'codec'> & { rule?: string; strategy?: string; codec?: string });

/** A route config: an array of routes, or `{routes: [...]}`, or `{routes: {"<msgId>": {...}}}`. */
export function parseRouteConfig(input: unknown, where = 'routes'): Route[] {
  let list: unknown = input;
  if (typeof input === 'object' && input !== null && !Array.isArray(input) && 'routes' in input)
    list = (input as { routes: unknown }).routes;
  if (Array.isArray(list)) return list.map((r, i) => parseRoute(r, `${where}[${i}]`));
  if (typeof list === 'object' && list !== null) {
    return Object.entries(list).map(([key, r]) => {
      const msgId = Number(key);
      const spec = typeof r === 'object' && r !== null ? { msgId, ...r } : r;
      return parseRoute(spec, `${where}.${key}`);
    });
  }
  return fail(where, 'must be an array of routes or an object {routes}');
}

/**
 * An immutable table of routes by msgId. Tables are replaced whole on reload, so a frame is routed by
 * one consistent table. An unknown msgId is blocked.
 */
export class RouteTable {
  readonly #routes: ReadonlyMap<number, Route>;

  constructor(routes: Iterable<Route> = []) {
    const map = new Map<number, Route>();
    for (const r of routes) {
      if (map.has(r.msgId)) throw new RouteConfigError(`msgId ${r.msgId} is routed twice`);
      map.set(r.msgId, r);
    }
    this.#routes = map;
  }

  /** The route of `msgId`, or undefined (blocked). */
  get(msgId: number): Route | undefined {
    return this.#routes.get(msgId);
  }

  get size(): number {
    return this.#routes.size;
  }

  /** Every route, by msgId. */
  list(): Route[] {
    return [...this.#routes.values()].sort((a, b) => a.msgId - b.msgId);
  }

  /** A table with `layer`'s routes replacing these ones msgId by msgId (later sources win). */
  overlay(layer: Iterable<Route>): RouteTable {
    const map = new Map(this.#routes);
    for (const r of layer) map.set(r.msgId, r);
    return new RouteTable(map.values());
  }
}
