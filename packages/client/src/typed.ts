// The client's public surface, typed from a protocol: `call.x`, `send.x`, `on.x` and the untyped forms.

import type { Notice } from './messages.js';
import type {
  AnyProtocol,
  AnyRoute,
  CallableNames,
  IsAbsent,
  PushNames,
  PushOf,
  ReplyOf,
  RequestOf,
  SendableNames,
} from './protocol.js';

/** The connection states: `connecting -> connected -> reconnecting -> connected ... -> closed`. */
export type ClientState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** A `state` event. */
export interface StateChange {
  state: ClientState;
  previous: ClientState;
  /** Why: the drop that started reconnecting, the refused resume, what closed the client. */
  reason?: string;
  /** On `connected` after a drop: true when the session and the frames it missed came back. */
  resumed?: boolean;
  /** On `reconnecting`: the attempt about to be made (1-based) and the delay before it. */
  attempt?: number;
  delayMs?: number;
  /** Frames that waited for the connection and were dropped because their session was lost. */
  dropped?: number;
}

/** Per-request options. */
export interface RequestOptions {
  /** Reject with RequestTimeoutError past this (default: the client's `requestTimeoutMs`). */
  timeoutMs?: number;
  /** Reject with RequestAbortedError when it aborts. */
  signal?: AbortSignal;
}

/** Removes the listener `on` added. */
export type Unsubscribe = () => void;

/** The payload argument a route takes: none for an absent request, optional when `undefined` fits. */
export type PayloadArgs<T> =
  IsAbsent<T> extends true ? never : undefined extends T ? [payload?: T] : [payload: T];

type ReplyValue<R> = IsAbsent<ReplyOf<R>> extends true ? undefined : ReplyOf<R>;

/** `client.send(msgId, bytes)`, `client.send(Game.shout, {text})`. */
export interface SendFunction {
  (msgId: number, payload: Uint8Array): void;
  <R extends AnyRoute>(route: R, ...payload: PayloadArgs<RequestOf<R>>): void;
}

/** `client.request(msgId, bytes, options)`, `client.request(Game.add, {a, b}, options)`. */
export interface RequestFunction {
  (msgId: number, payload: Uint8Array, options?: RequestOptions): Promise<Uint8Array>;
  <R extends AnyRoute>(route: R, payload: RequestOf<R>, options?: RequestOptions): Promise<ReplyValue<R>>;
}

/** `client.on('state' | 'notice' | 'error', fn)`, `client.on(msgId, fn)`, `client.on(Game.shout, fn)`. */
export interface OnFunction {
  (event: 'state', listener: (change: StateChange) => void): Unsubscribe;
  (event: 'notice', listener: (notice: Notice) => void): Unsubscribe;
  /** Listener exceptions and pushes that do not decode with their route's codec. */
  (event: 'error', listener: (error: unknown) => void): Unsubscribe;
  (msgId: number, listener: (payload: Uint8Array) => void): Unsubscribe;
  <R extends AnyRoute>(
    route: R,
    listener: IsAbsent<PushOf<R>> extends true ? never : (payload: PushOf<R>) => void,
  ): Unsubscribe;
}

/** `client.call.add({a, b}, options?)`: one per route with a request and a reply. */
export type CallProxies<P> = {
  readonly [K in CallableNames<P>]: undefined extends RequestOf<P[K]>
    ? (payload?: RequestOf<P[K]>, options?: RequestOptions) => Promise<ReplyOf<P[K]>>
    : (payload: RequestOf<P[K]>, options?: RequestOptions) => Promise<ReplyOf<P[K]>>;
};

/** `client.send.shout({text})`: one per route with a request. */
export type SendProxies<P> = {
  readonly [K in SendableNames<P>]: (...payload: PayloadArgs<RequestOf<P[K]>>) => void;
};

/** `client.on.shout(fn)`: one per route with a push. */
export type OnProxies<P> = {
  readonly [K in PushNames<P>]: (listener: (payload: PushOf<P[K]>) => void) => Unsubscribe;
};

/** A connected client; `P` is the protocol passed to `connect` (typed proxies), `{}` without one. */
export interface Client<P extends AnyProtocol = {}> {
  /** The current state. */
  readonly state: ClientState;
  /** The gateway's session id (from WELCOME; undefined without HELLO). */
  readonly session: string | undefined;
  /** The uid WELCOME reported (a ticket login), if any. */
  readonly uid: string | undefined;
  /** Numbered frames received in this session (what a resume reports). */
  readonly received: number;
  readonly send: SendFunction & SendProxies<P>;
  readonly request: RequestFunction;
  readonly call: CallProxies<P>;
  readonly on: OnFunction & OnProxies<P>;
  /** Closes the connection for good: state `closed`, requests in flight fail with ConnectionClosedError. */
  close(reason?: string): void;
}
