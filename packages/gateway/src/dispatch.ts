// Client frames to backends: rules, backend choice, the backend call, and its reply as a RESPONSE
// (requests) or a push of the same msgId (plain frames).
import {
  decodeRequest,
  encodeFrame,
  encodeMessage,
  FRAME_HEADER,
  isAppMsgId,
  MsgId,
  RESPONSE_HEADER,
} from '@troupe/client/wire';
import {
  type ActorRef,
  type ExtensionHost,
  type MemberRecord,
  RemoteError,
  TimeoutError,
  TroupeError,
} from '@troupe/runtime';
import { decodePayload, encodePayload } from './codecs.js';
import type { GatewayMetrics } from './metrics.js';
import type { ResolvedGatewayOptions } from './options.js';
import type { Route, RouteTable } from './routes.js';
import type { Session } from './session.js';
import type { GatewayMessage } from './session-ref.js';

/** A refusal or failure as the client sees it. */
interface Failure {
  code: string;
  message: string;
  data?: unknown;
}

/** Maps a backend call's error to what the client is told. */
export function failureOf(err: unknown): Failure {
  if (err instanceof TimeoutError) return { code: 'TIMEOUT', message: 'the backend did not answer in time' };
  if (err instanceof RemoteError) {
    // A handler's own error code passes through; an error without one is BACKEND_ERROR.
    const f: Failure = {
      code: err.code === 'HANDLER_ERROR' ? 'BACKEND_ERROR' : err.code,
      message: err.message,
    };
    if (err.data !== undefined) f.data = err.data;
    return f;
  }
  if (err instanceof TroupeError && err.code === 'PROTOCOL_ERROR')
    return { code: err.code, message: err.message };
  if (err instanceof TroupeError)
    return { code: 'BACKEND_UNAVAILABLE', message: `the backend cannot be reached (${err.code})` };
  return { code: 'BACKEND_ERROR', message: (err as Error)?.message ?? String(err) };
}

/** Writes `value` as a big-endian u32 at `at` (by hand: no DataView per reply). */
function putU32(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = value >>> 16;
  out[at + 2] = value >>> 8;
  out[at + 3] = value;
}

/**
 * A RESPONSE frame (`docs/client-protocol.md`: frame header, then `u32 requestId | u8 status | body`)
 * built in one buffer: one allocation and one copy of the body per reply.
 */
export function responseFrame(requestId: number, status: 0 | 1, body: Uint8Array): Uint8Array {
  // Not a pooled Buffer: resume logs keep frames, and a small slice would keep its whole pool alive.
  const out = new Uint8Array(FRAME_HEADER + RESPONSE_HEADER + body.length);
  putU32(out, 0, MsgId.Response);
  putU32(out, 4, RESPONSE_HEADER + body.length);
  putU32(out, FRAME_HEADER, requestId);
  out[FRAME_HEADER + 4] = status;
  out.set(body, FRAME_HEADER + RESPONSE_HEADER);
  return out;
}

/** Routes the frames of live sessions. */
export class Dispatcher {
  readonly #host: ExtensionHost;
  readonly #options: ResolvedGatewayOptions;
  readonly #metrics: GatewayMetrics;
  readonly #routes: () => RouteTable;
  /** The same options for every backend call, made once. */
  readonly #askOptions: { readonly timeoutMs: number };
  /** Round-robin cursor per route. */
  readonly #cursors = new Map<number, number>();
  /**
   * Backend actor refs per route and node, made once rather than per request; a reloaded route table
   * brings new Route objects and the old entries go with them.
   */
  readonly #refs = new WeakMap<Route, Map<number, ActorRef>>();

  constructor(
    host: ExtensionHost,
    options: ResolvedGatewayOptions,
    metrics: GatewayMetrics,
    routes: () => RouteTable,
  ) {
    this.#host = host;
    this.#options = options;
    this.#metrics = metrics;
    this.#routes = routes;
    this.#askOptions = Object.freeze({ timeoutMs: options.requestTimeoutMs });
  }

  /** A frame of a session (not a heartbeat, not the first HELLO). Throws PROTOCOL_ERROR on misuse. */
  frame(session: Session, msgId: number, payload: Uint8Array): void {
    this.#metrics.framesIn++;
    if (msgId === MsgId.Request) {
      const req = decodeRequest(payload);
      if (!isAppMsgId(req.msgId))
        throw new TroupeError(
          'PROTOCOL_ERROR',
          `REQUEST for msgId 0x${req.msgId.toString(16)}: not an application msgId`,
        );
      this.#route(session, req.msgId, req.body, req.requestId);
      return;
    }
    if (!isAppMsgId(msgId))
      throw new TroupeError('PROTOCOL_ERROR', `msgId 0x${msgId.toString(16)} is not sent by clients here`);
    this.#route(session, msgId, payload, undefined);
  }

  #route(session: Session, msgId: number, body: Uint8Array, requestId: number | undefined): void {
    const route = this.#routes().get(msgId);
    const counters = this.#metrics.route(route?.name ?? `msg${msgId}`);
    counters.framesIn++;
    counters.bytesIn += body.length;
    if (route === undefined || route.rule === 'block') {
      this.#refuse(session, requestId, {
        code: 'BLOCKED',
        message: `msgId ${msgId} is not open to clients`,
      });
      return;
    }
    if (route.rule === 'auth' && session.uid === undefined) {
      this.#refuse(session, requestId, {
        code: 'UNAUTHORIZED',
        message: `msgId ${msgId} (${route.name}) needs an authenticated session`,
      });
      return;
    }
    if (session.inFlight >= this.#options.maxInFlight) {
      this.#refuse(session, requestId, {
        code: 'TOO_MANY_REQUESTS',
        message: `more than ${this.#options.maxInFlight} messages wait for their backend`,
      });
      return;
    }
    const data = decodePayload(route.codec, body);
    let backend: MemberRecord;
    try {
      backend = this.#pick(route, session);
    } catch (err) {
      this.#refuse(session, requestId, {
        code: 'BACKEND_UNAVAILABLE',
        message: `no backend of service ${route.service}: ${(err as Error).message}`,
      });
      return;
    }
    const message: GatewayMessage = { session: session.ref, uid: session.uid, data };
    session.inFlight++;
    this.#ref(route, backend.addr)
      .ask(route.handler, message, this.#askOptions)
      .then(
        (reply) => {
          session.inFlight--;
          this.#reply(session, route, requestId, reply);
        },
        (err) => {
          session.inFlight--;
          this.#refuse(session, requestId, failureOf(err));
        },
      );
  }

  #ref(route: Route, node: number): ActorRef {
    let byNode = this.#refs.get(route);
    if (byNode === undefined) {
      byNode = new Map();
      this.#refs.set(route, byNode);
    }
    let ref = byNode.get(node);
    if (ref === undefined) {
      ref = this.#host.ref({ node: node as MemberRecord['addr'], name: route.actor });
      byNode.set(node, ref);
    }
    return ref;
  }

  #pick(route: Route, session: Session): MemberRecord {
    switch (route.strategy) {
      case 'bound': {
        const bound = session.bindings?.get(route.service);
        if (bound !== undefined && this.#host.isAlive(bound.node as MemberRecord['addr'])) {
          const member = this.#host.members({ type: route.service }).find((m) => m.addr === bound.node);
          if (member !== undefined) return member;
        }
        return this.#host.pick(route.service, 'random');
      }
      case 'hash':
        return this.#host.pick(route.service, { hash: session.uid ?? session.id });
      case 'roundRobin': {
        // Per route, so two routes to one service type do not share (and skew) one cursor.
        const members = this.#host.members({ type: route.service, available: true });
        if (members.length === 0) return this.#host.pick(route.service, 'roundRobin');
        const i = this.#cursors.get(route.msgId) ?? 0;
        this.#cursors.set(route.msgId, i + 1);
        return members[i % members.length]!;
      }
      default:
        return this.#host.pick(route.service, route.strategy);
    }
  }

  #reply(session: Session, route: Route, requestId: number | undefined, reply: unknown): void {
    if (session.state === 'closed') return;
    let body: Uint8Array;
    try {
      if (requestId === undefined && (reply === undefined || reply === null)) return;
      body = encodePayload(route.codec, reply);
    } catch (err) {
      this.#refuse(session, requestId, { code: 'BACKEND_ERROR', message: (err as Error).message });
      return;
    }
    const frame =
      requestId === undefined ? encodeFrame(route.msgId, body) : responseFrame(requestId, 0, body);
    const counters = this.#metrics.route(route.name);
    counters.framesOut++;
    counters.bytesOut += frame.length;
    this.#metrics.framesOut++;
    session.push(frame);
  }

  /** A request gets a failed RESPONSE (numbered); a plain frame gets a NOTICE. Neither closes. */
  #refuse(session: Session, requestId: number | undefined, failure: Failure): void {
    this.#metrics.refused(failure.code);
    if (session.state === 'closed') return;
    if (requestId === undefined) {
      session.connection?.send(encodeFrame(MsgId.Notice, encodeMessage(failure)));
      return;
    }
    session.push(responseFrame(requestId, 1, encodeMessage(failure)));
  }
}
