// One protocol definition (msgId, payload types, rule, codec per route) typing the client, the route table and the backend.

import { type CodecName, codecs, type PayloadCodec } from './codecs.js';
import { InvalidProtocolError } from './errors.js';
import { isAppMsgId } from './wire.js';

export type { CodecName, PayloadCodec };
export { codecs };

/** Who may use a route: anyone (`pass`) or only an authenticated session (`auth`, the default). */
export type Rule = 'pass' | 'auth';

/** The rules and codecs a definition may name, and what a route gets when it names none. */
export const RULES: readonly Rule[] = Object.freeze(['pass', 'auth']);
export const CODECS: readonly CodecName[] = Object.freeze(['msgpack', 'json', 'raw']);
export const DEFAULT_RULE: Rule = 'auth';
export const DEFAULT_CODEC: CodecName = 'msgpack';

declare const payloadTag: unique symbol;
declare const absentTag: unique symbol;

/** A payload type that exists only at compile time; made by `type<T>()`. */
export interface PayloadType<T> {
  readonly [payloadTag]?: { readonly type: T };
}

/** Marks a payload a route does not declare (no request, no reply or no push). */
export type Absent = typeof absentTag;

/** True for `Absent` only (`never` and `unknown` are declared payload types). */
export type IsAbsent<T> = [T] extends [Absent] ? ([Absent] extends [T] ? true : false) : false;

const MARKER = Object.freeze({});

/** Declares a payload type in a protocol definition: `request: type<{ a: number }>()`. */
export function type<T>(): PayloadType<T> {
  return MARKER as PayloadType<T>;
}

/** One route as written in `defineProtocol`. */
export interface RouteSpec {
  readonly msgId: number;
  readonly rule?: Rule;
  readonly codec?: CodecName;
  /** What the client sends (`send.x`, `call.x`); a route without one is push-only. */
  readonly request?: PayloadType<unknown>;
  /** What the backend answers a request with (`call.x` resolves to it). */
  readonly reply?: PayloadType<unknown>;
  /** What the server pushes on this msgId (`on.x`). */
  readonly push?: PayloadType<unknown>;
}

declare const routeTypes: unique symbol;

/** What every route is at run time: its name, msgId, resolved rule and codec, and which payloads it has. */
export interface RouteInfo {
  readonly name: string;
  readonly msgId: number;
  readonly rule: Rule;
  readonly codec: CodecName;
  readonly hasRequest: boolean;
  readonly hasReply: boolean;
  readonly hasPush: boolean;
}

/** A route of a defined protocol, with its payload types. */
export interface Route<Name extends string = string, Req = unknown, Rep = unknown, Push = unknown>
  extends RouteInfo {
  readonly name: Name;
  /** Compile-time only: the payload types (invariant, so a wrong payload never fits). */
  readonly [routeTypes]?: { request: (v: Req) => Req; reply: (v: Rep) => Rep; push: (v: Push) => Push };
}

/** Any route of any protocol. */
export type AnyRoute = RouteInfo;

type PayloadOf<S, K extends 'request' | 'reply' | 'push'> = S extends {
  readonly [P in K]: PayloadType<infer T>;
}
  ? T
  : Absent;

/** The route a spec entry becomes. */
export type RouteOf<Name extends string, S> = Route<
  Name,
  PayloadOf<S, 'request'>,
  PayloadOf<S, 'reply'>,
  PayloadOf<S, 'push'>
>;

/** A defined protocol: route name to route. */
export type Protocol<Specs> = { readonly [K in keyof Specs & string]: RouteOf<K, Specs[K]> };

/** Any defined protocol. */
export type AnyProtocol = { readonly [name: string]: AnyRoute };

/** The request payload of a route (`Absent` when it declares none). */
export type RequestOf<R> = R extends Route<string, infer Req, infer _Rep, infer _Push> ? Req : never;
/** The reply payload of a route (`Absent` when it declares none). */
export type ReplyOf<R> = R extends Route<string, infer _Req, infer Rep, infer _Push> ? Rep : never;
/** The push payload of a route (`Absent` when it declares none). */
export type PushOf<R> = R extends Route<string, infer _Req, infer _Rep, infer Push> ? Push : never;

/** Names of routes a client can send on (they declare a request). */
export type SendableNames<P> = {
  [K in keyof P & string]: IsAbsent<RequestOf<P[K]>> extends true ? never : K;
}[keyof P & string];
/** Names of routes a client can call (they declare a request and a reply). */
export type CallableNames<P> = {
  [K in keyof P & string]: IsAbsent<RequestOf<P[K]>> extends true
    ? never
    : IsAbsent<ReplyOf<P[K]>> extends true
      ? never
      : K;
}[keyof P & string];
/** Names of routes the server pushes on (they declare a push). */
export type PushNames<P> = {
  [K in keyof P & string]: IsAbsent<PushOf<P[K]>> extends true ? never : K;
}[keyof P & string];

/** Routes with the raw codec carry bytes only: any other payload type is a compile error in the definition. */
type RawBytesOnly<S> = S extends { readonly codec: 'raw' }
  ? {
      readonly request?: PayloadType<Uint8Array>;
      readonly reply?: PayloadType<Uint8Array>;
      readonly push?: PayloadType<Uint8Array>;
    }
  : unknown;

// Route names become properties of functions (`client.send.x`, `client.on.x`): these would shadow theirs.
const RESERVED_NAMES = new Set([
  'name',
  'length',
  'prototype',
  'call',
  'apply',
  'bind',
  'toString',
  'constructor',
  'then',
]);

function check(name: string, spec: RouteSpec, seen: Map<number, string>): void {
  if (RESERVED_NAMES.has(name) || name.startsWith('__')) {
    throw new InvalidProtocolError(name, 'the name is reserved (it is a property of functions or promises)');
  }
  if (!isAppMsgId(spec.msgId)) {
    throw new InvalidProtocolError(
      name,
      `msgId ${spec.msgId} is outside the application range 1..0x7FFFFFFF`,
    );
  }
  const other = seen.get(spec.msgId);
  if (other !== undefined)
    throw new InvalidProtocolError(name, `msgId ${spec.msgId} is already used by ${other}`);
  seen.set(spec.msgId, name);
  if (spec.rule !== undefined && !RULES.includes(spec.rule)) {
    throw new InvalidProtocolError(name, `rule must be one of ${RULES.join(', ')}, got ${String(spec.rule)}`);
  }
  if (spec.codec !== undefined && !CODECS.includes(spec.codec)) {
    throw new InvalidProtocolError(
      name,
      `codec must be one of ${CODECS.join(', ')}, got ${String(spec.codec)}`,
    );
  }
  if (spec.reply !== undefined && spec.request === undefined) {
    throw new InvalidProtocolError(name, 'a reply needs a request to answer');
  }
  if (spec.request === undefined && spec.push === undefined) {
    throw new InvalidProtocolError(name, 'a route declares a request, a push, or both');
  }
}

/**
 * Defines a protocol: the single source of msgIds and payload types for the client (`client.call.add`),
 * the gateway's route table (`routesFrom`) and backend handlers (`handles`). Throws InvalidProtocolError
 * naming the route for a duplicate or out-of-range msgId, an unknown rule or codec, or a route with nothing
 * to carry. The result is frozen.
 */
export function defineProtocol<const Specs extends { readonly [name: string]: RouteSpec }>(
  specs: Specs & { readonly [K in keyof Specs]: RawBytesOnly<Specs[K]> },
): Protocol<Specs> {
  const seen = new Map<number, string>();
  const out: Record<string, AnyRoute> = {};
  for (const [name, spec] of Object.entries(specs as Record<string, RouteSpec>)) {
    check(name, spec, seen);
    out[name] = Object.freeze({
      name,
      msgId: spec.msgId,
      rule: spec.rule ?? DEFAULT_RULE,
      codec: spec.codec ?? DEFAULT_CODEC,
      hasRequest: spec.request !== undefined,
      hasReply: spec.reply !== undefined,
      hasPush: spec.push !== undefined,
    });
  }
  return Object.freeze(out) as Protocol<Specs>;
}

/** The routes of a protocol, in definition order. */
export function routesOf<P extends AnyProtocol>(protocol: P): Array<P[keyof P]> {
  return Object.values(protocol) as Array<P[keyof P]>;
}

/** A msgId to route index (the client uses it to decode pushes; a gateway to look routes up). */
export function routesByMsgId(protocol: AnyProtocol): ReadonlyMap<number, AnyRoute> {
  return new Map(Object.values(protocol).map((r) => [r.msgId, r]));
}

/** The codec a route's payloads use. */
export function codecOf(route: AnyRoute): PayloadCodec {
  return codecs[route.codec];
}

/** What the route table maps each route to: one target of the table's choosing per route with a request. */
export type RouteTargets<P, T = object> = { readonly [K in SendableNames<P>]: T };

/** Keys of a targets object that name no route taking a request: each must be a compile error. */
type NoOtherTargets<P, M> = { readonly [K in Exclude<keyof M, SendableNames<P>>]: never };

/** A route table entry: the route's wire facts plus its target. */
export type RouteEntry<T> = Readonly<{ name: string; msgId: number; rule: Rule; codec: CodecName } & T>;

/**
 * Builds route table entries from a protocol and a target per route
 * (`routesFrom(Game, { add: { service: 2, handler: 'add', strategy: 'roundRobin' } })`): every route with a
 * request needs a target (a compile error otherwise, and an InvalidProtocolError when untyped code misses one).
 */
export function routesFrom<P extends AnyProtocol, M extends RouteTargets<P>>(
  protocol: P,
  targets: M & NoOtherTargets<P, M>,
): RouteEntry<M[keyof M]>[] {
  type T = M[keyof M];
  const table = targets as unknown as Record<string, T | undefined>;
  for (const name of Object.keys(table)) {
    const route = protocol[name];
    if (route === undefined) throw new InvalidProtocolError(name, 'is not in the protocol');
    if (!route.hasRequest) throw new InvalidProtocolError(name, 'is push-only and takes no target');
  }
  const entries: RouteEntry<T>[] = [];
  for (const route of Object.values(protocol)) {
    if (!route.hasRequest) continue;
    const target = table[route.name];
    if (target === undefined) throw new InvalidProtocolError(route.name, 'has no target in the route table');
    entries.push(
      Object.freeze({
        ...target,
        name: route.name,
        msgId: route.msgId,
        rule: route.rule,
        codec: route.codec,
      }),
    );
  }
  return entries;
}

/** What a backend handler for a route returns: the reply (or a promise of it); nothing for a route without one. */
export type HandlerResult<R> =
  IsAbsent<ReplyOf<R>> extends true ? void | Promise<void> : ReplyOf<R> | Promise<ReplyOf<R>>;

/** A backend handler typed from a route: `(state, request, ...rest) => reply`. */
export type HandlerOf<R, State = any, Rest extends unknown[] = any[]> = (
  state: State,
  request: RequestOf<R>,
  ...rest: Rest
) => HandlerResult<R>;

/** A handler tagged with the route it serves. */
export type RouteHandler<R, State, Rest extends unknown[]> = HandlerOf<R, State, Rest> & {
  readonly route: R;
};

/**
 * Types a backend handler from a route: `handles(Game.add, (state, req) => ({ sum: req.a + req.b }))`; a wrong
 * request or reply type is a compile error. Returns the handler, tagged with its route.
 */
export function handles<R extends AnyRoute, State, Rest extends unknown[]>(
  route: R,
  handler: (state: State, request: RequestOf<R>, ...rest: Rest) => HandlerResult<R>,
): RouteHandler<R, State, Rest> {
  return Object.assign(handler, { route });
}

/** The least a gateway hands a backend with each message: the request as `data` (its messages carry more). */
export interface CarriesRequest<T> {
  readonly data: T;
}

/**
 * Types a backend handler that receives the gateway's message (`{ session, uid, data }`, `GatewayMessage` in
 * `@troupe/gateway`) instead of the bare request: `handlesMessage(Game.add, (state, m: GatewayMessage<Add>) =>
 * ({ sum: m.data.a + m.data.b }))`; unannotated, `m.data` is typed from the route. A message whose `data` is not
 * the route's request, or a wrong reply, is a compile error. Returns the handler, tagged with its route.
 */
export function handlesMessage<
  R extends AnyRoute,
  State,
  M extends CarriesRequest<RequestOf<R>>,
  Rest extends unknown[],
>(
  route: R,
  handler: (state: State, message: M, ...rest: Rest) => HandlerResult<R>,
): ((state: State, message: M, ...rest: Rest) => HandlerResult<R>) & { readonly route: R } {
  return Object.assign(handler, { route });
}
