// The client core: the connection state machine, HELLO/WELCOME and resume, heartbeats, requests and pushes.

import { backoffDelay } from './backoff.js';
import { codecs, EMPTY } from './codecs.js';
import {
  ConnectFailedError,
  ConnectionClosedError,
  QueueFullError,
  RemoteError,
  RequestAbortedError,
  ResumeFailedError,
  WireProtocolError,
} from './errors.js';
import {
  decodeNotice,
  decodeWelcome,
  encodeMessage,
  type Hello,
  type Notice,
  PROTOCOL_VERSION,
} from './messages.js';
import { type ClientOptions, DEFAULT_HEARTBEAT_MS } from './options.js';
import type { AnyProtocol, AnyRoute } from './protocol.js';
import { pendingRequests } from './requests.js';
import type { ClientTransport, TransportFactory } from './transport.js';
import type { Client, ClientState, RequestOptions, StateChange, Unsubscribe } from './typed.js';
import { decodeResponse, encodeFrames, encodeRequest, FrameReader, isAppMsgId, MsgId } from './wire.js';

/** Notices after which the gateway ends the session for good: the client closes instead of reconnecting. */
export const TERMINAL_NOTICES =
  /^(KICKED|REPLACED|DUPLICATE_LOGIN|PROTOCOL_ERROR|FRAME_TOO_LARGE|TICKET_\w+)$/;

function checkAppMsgId(msgId: number): void {
  if (!isAppMsgId(msgId)) throw new RangeError(`msgId ${msgId} is not in 1..0x7FFFFFFF`);
}

// A gateway sends WELCOME once, after HELLO, and numbered frames only after it; never HELLO or REQUEST.
function unexpected(msgId: number): never {
  throw new WireProtocolError('PROTOCOL_ERROR', `unexpected msgId 0x${msgId.toString(16)}`);
}

type Listener = (value: any) => void;
type Fn = (...args: any[]) => unknown;

// A closure rather than a class: local names minify, private `#fields` do not (the browser size budget).
/**
 * Makes a client over `factory` with the typed proxies of `options.protocol`, and the function that opens its
 * first connection (resolving once it is ready; rejecting, and closing the client, if it fails).
 */
export function createClient<P extends AnyProtocol>(
  factory: TransportFactory,
  options: Readonly<ClientOptions<P>>,
): [client: Client<P>, start: () => Promise<void>] {
  const pending = pendingRequests();
  const listeners = new Map<unknown, Set<Listener>>();
  let state: ClientState = 'connecting';
  let transport: ClientTransport | undefined;
  let generation = 0;
  let reader = new FrameReader(options.maxPayload);
  let ready = false;
  let resuming = false;
  let out: Array<[number, Uint8Array]> = [];
  let flushQueued = false;
  let session: string | undefined;
  let token: string | undefined;
  let uid: string | undefined;
  let received = 0;
  let heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  let lastRx = 0;
  let attempt = 0;
  let heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  let connectTimer: ReturnType<typeof setTimeout> | undefined;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let terminal: Notice | undefined;
  let resumeRefusal: string | undefined;
  let started: { resolve: () => void; reject: (err: Error) => void } | undefined;

  /** Opens the first connection; resolves once it is ready, rejects (and closes) if it fails. */
  function start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      started = { resolve, reject };
      open();
    });
  }

  function send(target: number | AnyRoute, payload?: unknown): void {
    const [msgId, body] = encode(target, payload);
    enqueue(msgId, body);
  }

  function request(
    target: number | AnyRoute,
    payload?: unknown,
    opts: RequestOptions = {},
  ): Promise<unknown> {
    try {
      const [msgId, body] = encode(target, payload);
      const signal = opts.signal;
      if (signal?.aborted) throw new RequestAbortedError(msgId, signal.reason);
      checkCanEnqueue();
      const id = pending.nextId();
      const decode = typeof target === 'number' ? (bytes: Uint8Array) => bytes : codecs[target.codec].decode;
      const reply = pending.add(id, msgId, decode, opts.timeoutMs ?? options.requestTimeoutMs, signal);
      enqueue(MsgId.Request, encodeRequest(id, msgId, body));
      return reply;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  function on(key: string | number | AnyRoute, listener: Listener): Unsubscribe {
    let id: unknown = key;
    let fn = listener;
    if (typeof key === 'object') {
      const decode = codecs[key.codec].decode;
      id = key.msgId;
      fn = (payload: Uint8Array) => listener(decode(payload));
    } else if (typeof key === 'number') {
      checkAppMsgId(key);
    }
    let set = listeners.get(id);
    if (!set) {
      set = new Set();
      listeners.set(id, set);
    }
    set.add(fn);
    return () => set.delete(fn);
  }

  function close(reason = 'closed by the client'): void {
    if (state === 'closed') return;
    transport?.close();
    teardown();
    closed(reason, new ConnectFailedError(reason));
  }

  function encode(target: number | AnyRoute, payload: unknown): [number, Uint8Array] {
    if (typeof target === 'object') return [target.msgId, codecs[target.codec].encode(payload)];
    checkAppMsgId(target);
    return [target, codecs.raw.encode(payload)];
  }

  function checkCanEnqueue(): void {
    if (state === 'closed') throw new ConnectionClosedError('send after close');
    if (!ready && out.length >= options.maxQueuedFrames) {
      throw new QueueFullError(options.maxQueuedFrames);
    }
  }

  // Frames go out once per turn, coalesced into one message; while not ready they wait for the connection.
  function enqueue(msgId: number, payload: Uint8Array): void {
    checkCanEnqueue();
    out.push([msgId, payload]);
    if (ready) scheduleFlush();
  }

  function scheduleFlush(): void {
    if (flushQueued) return;
    flushQueued = true;
    queueMicrotask(flush);
  }

  function flush(): void {
    flushQueued = false;
    if (!ready || out.length === 0) return;
    const frames = out;
    out = [];
    transport?.send(encodeFrames(frames));
  }

  function open(): void {
    const mine = ++generation;
    const current = () => mine === generation;
    ready = false;
    reader = new FrameReader(options.maxPayload);
    connectTimer = setTimeout(
      () => drop(`connect timeout (${options.connectTimeoutMs} ms)`),
      options.connectTimeoutMs,
    );
    try {
      transport = factory({
        open: () => current() && onOpen(),
        data: (bytes) => current() && onData(bytes),
        closed: (reason) => current() && onClosed(reason),
      });
    } catch (err) {
      // A transport that cannot even start (a malformed URL, say) is a failed attempt like any other.
      drop(`cannot open the connection: ${(err as Error).message}`);
    }
  }

  function onOpen(): void {
    lastRx = Date.now();
    if (!options.hello) {
      // Without HELLO there is no session to resume: a reconnect is a new plain session.
      const lost = session !== undefined || attempt > 0;
      ready = true;
      connected({
        resumed: false,
        ...(lost ? loseSession('the client does not send HELLO') : {}),
      });
      return;
    }
    resuming = token !== undefined;
    resumeRefusal = undefined;
    // msgpack leaves out keys whose value is undefined: no ticket, no key.
    const hello: Hello = resuming
      ? { v: PROTOCOL_VERSION, resume: token!, received }
      : { v: PROTOCOL_VERSION, ticket: options.ticket };
    transport?.send(encodeFrames([[MsgId.Hello, encodeMessage(hello)]]));
  }

  function onData(bytes: Uint8Array): void {
    lastRx = Date.now();
    try {
      reader.push(bytes, (msgId, payload) => onFrame(msgId, payload));
    } catch (err) {
      if (!(err instanceof WireProtocolError)) throw err;
      // Bytes that break the protocol end the client: a resume would replay the same frame.
      transport?.close();
      teardown();
      closed(`${err.code}: ${err.message}`, err);
    }
  }

  function onFrame(msgId: number, payload: Uint8Array): void {
    // A listener may have closed the client (or a frame dropped the link) earlier in this chunk.
    if (transport === undefined || msgId === MsgId.Heartbeat) return;
    if (msgId === MsgId.Notice) {
      const notice = decodeNotice(payload);
      if (notice.code === 'RESUME_FAILED') resumeRefusal = notice.message;
      if (TERMINAL_NOTICES.test(notice.code)) terminal = notice;
      emit('notice', notice);
      return;
    }
    if (msgId === MsgId.Welcome) {
      if (!options.hello || ready) unexpected(msgId);
      onWelcome(payload);
      return;
    }
    if (!ready) unexpected(msgId);
    // Every other frame is numbered by the gateway: count it for resume.
    received++;
    if (msgId === MsgId.Response) {
      const { requestId, status, body } = decodeResponse(payload);
      pending.settle(requestId, status, body);
    } else if (isAppMsgId(msgId)) {
      emit(msgId, payload);
    } else {
      unexpected(msgId);
    }
  }

  function onWelcome(payload: Uint8Array): void {
    const welcome = decodeWelcome(payload);
    ready = true;
    session = welcome.session;
    token = welcome.token;
    uid = welcome.uid;
    heartbeatMs = options.heartbeatMs ?? (welcome.heartbeatMs || DEFAULT_HEARTBEAT_MS);
    if (resuming && !welcome.resumed) {
      const reason = welcome.reason ?? resumeRefusal ?? 'not resumed';
      connected({ resumed: false, ...loseSession(reason) });
    } else {
      if (!resuming) received = 0;
      connected({ resumed: welcome.resumed });
    }
  }

  // The old session is gone: what was in flight or waiting cannot be answered by the new one.
  function loseSession(reason: string): Partial<StateChange> {
    received = 0;
    const dropped = out.length;
    out = [];
    pending.failAll(() => new ResumeFailedError(reason));
    return { reason, dropped };
  }

  function connected(change: Partial<StateChange>): void {
    clearTimeout(connectTimer);
    attempt = 0;
    heartbeatTimer = setInterval(() => heartbeat(), heartbeatMs);
    setState('connected', change);
    if (started) {
      started.resolve();
      started = undefined;
    }
    scheduleFlush();
  }

  function heartbeat(): void {
    const silent = Date.now() - lastRx;
    if (silent > heartbeatMs + options.maxServerDelayMs) drop(`server silent for ${silent} ms`);
    else enqueue(MsgId.Heartbeat, EMPTY);
  }

  // The client gives up on the current connection (connect timeout, server silence) and treats it as dropped.
  function drop(reason: string): void {
    transport?.close();
    onClosed(reason);
  }

  function teardown(): void {
    generation++;
    transport = undefined;
    ready = false;
    clearInterval(heartbeatTimer);
    clearTimeout(connectTimer);
    clearTimeout(reconnectTimer);
  }

  function onClosed(reason: string): void {
    teardown();
    const notice = terminal;
    if (notice) {
      closed(`${notice.code}: ${notice.message}`, new RemoteError(notice.code, notice.message, notice.data));
    } else if (started) {
      closed(reason, new ConnectFailedError(reason));
    } else if (!options.reconnect.enabled) {
      closed(reason, new ConnectFailedError(reason));
    } else if (attempt >= options.reconnect.maxAttempts) {
      closed(`gave up after ${attempt} reconnect attempts: ${reason}`, new ConnectFailedError(reason));
    } else {
      const { minDelayMs, maxDelayMs } = options.reconnect;
      const delayMs = backoffDelay(attempt++, minDelayMs, maxDelayMs);
      setState('reconnecting', { reason, attempt, delayMs });
      reconnectTimer = setTimeout(() => open(), delayMs);
    }
  }

  function closed(reason: string, startError: Error): void {
    out = [];
    pending.failAll(() => new ConnectionClosedError(reason));
    setState('closed', { reason });
    if (started) {
      started.reject(startError);
      started = undefined;
    }
  }

  function setState(next: ClientState, change: Partial<StateChange>): void {
    const previous = state;
    state = next;
    emit('state', { state: next, previous, ...change });
  }

  // A listener that throws (or a push that does not decode) must not break the client: report it as 'error'.
  function emit(key: unknown, value: unknown): void {
    const set = listeners.get(key);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(value);
      } catch (err) {
        const errors = listeners.get('error');
        if (key !== 'error' && errors?.size) emit('error', err);
        else
          queueMicrotask(() => {
            throw err;
          });
      }
    }
  }

  // The typed proxies are plain properties built once from the protocol: `send.x`, `call.x`, `on.x`.
  const sendFn: Fn & Record<string, Fn> = Object.assign((target: never, payload: unknown) =>
    send(target, payload),
  );
  const onFn: Fn & Record<string, Fn> = Object.assign((key: never, listener: Fn) => on(key, listener));
  const call: Record<string, Fn> = {};
  for (const route of Object.values<AnyRoute>(options.protocol ?? {})) {
    if (route.hasRequest) sendFn[route.name] = (payload: unknown) => send(route, payload);
    if (route.hasReply)
      call[route.name] = (payload: unknown, opts?: RequestOptions) => request(route, payload, opts);
    if (route.hasPush) onFn[route.name] = (listener: Fn) => on(route, listener);
  }
  const client = {
    get state() {
      return state;
    },
    get session() {
      return session;
    },
    get uid() {
      return uid;
    },
    get received() {
      return received;
    },
    send: sendFn,
    request,
    call,
    on: onFn,
    close,
  };
  return [client as unknown as Client<P>, start];
}
