// The client core: the connection state machine, HELLO/WELCOME and resume, heartbeats, requests and pushes.

import { backoffDelay } from './backoff.js';
import { codecs } from './codecs.js';
import {
  CodecError,
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
import type { AnyRoute } from './protocol.js';
import { PendingRequests } from './requests.js';
import type { ClientTransport, TransportFactory } from './transport.js';
import type { ClientState, RequestOptions, StateChange, Unsubscribe } from './typed.js';
import {
  decodeResponse,
  encodeFrame,
  encodeFrames,
  encodeRequest,
  FrameReader,
  isAppMsgId,
  MsgId,
} from './wire.js';

/** Notices after which the gateway ends the session for good: the client closes instead of reconnecting. */
export const TERMINAL_NOTICES: ReadonlySet<string> = new Set([
  'KICKED',
  'REPLACED',
  'DUPLICATE_LOGIN',
  'PROTOCOL_ERROR',
  'FRAME_TOO_LARGE',
  'TICKET_INVALID',
  'TICKET_EXPIRED',
  'TICKET_REUSED',
  'TICKET_WRONG_GATEWAY',
]);

const EMPTY = new Uint8Array(0);
type Listener = (value: any) => void;

/** The client implementation behind the `Client` interface (`connect` makes one). */
export class ClientCore {
  readonly #options: Readonly<ClientOptions>;
  readonly #factory: TransportFactory;
  readonly #pending = new PendingRequests();
  readonly #listeners = new Map<unknown, Set<Listener>>();
  #state: ClientState = 'connecting';
  #transport: ClientTransport | undefined;
  #generation = 0;
  #reader: FrameReader;
  #ready = false;
  #resuming = false;
  #out: Array<[number, Uint8Array]> = [];
  #flushQueued = false;
  #session: string | undefined;
  #token: string | undefined;
  #uid: string | undefined;
  #received = 0;
  #heartbeatMs: number;
  #lastRx = 0;
  #attempt = 0;
  #heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #terminal: Notice | undefined;
  #resumeRefusal: string | undefined;
  #started: { resolve: () => void; reject: (err: Error) => void } | undefined;

  constructor(factory: TransportFactory, options: Readonly<ClientOptions>) {
    this.#factory = factory;
    this.#options = options;
    this.#reader = new FrameReader(options.maxPayload);
    this.#heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  }

  get state(): ClientState {
    return this.#state;
  }
  get session(): string | undefined {
    return this.#session;
  }
  get uid(): string | undefined {
    return this.#uid;
  }
  get received(): number {
    return this.#received;
  }

  /** Opens the first connection; resolves once it is ready, rejects (and closes) if it fails. */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#started = { resolve, reject };
      this.#open();
    });
  }

  send(target: number | AnyRoute, payload?: unknown): void {
    const [msgId, body] = this.#encode(target, payload);
    this.#enqueue(msgId, body);
  }

  request(target: number | AnyRoute, payload?: unknown, options: RequestOptions = {}): Promise<unknown> {
    try {
      const [msgId, body] = this.#encode(target, payload);
      const signal = options.signal;
      if (signal?.aborted) throw new RequestAbortedError(msgId, signal.reason);
      this.#checkCanEnqueue();
      const id = this.#pending.nextId();
      const decode = typeof target === 'number' ? (bytes: Uint8Array) => bytes : codecs[target.codec].decode;
      const reply = this.#pending.add(
        id,
        msgId,
        decode,
        options.timeoutMs ?? this.#options.requestTimeoutMs,
        signal,
      );
      this.#enqueue(MsgId.Request, encodeRequest(id, msgId, body));
      return reply;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  on(key: string | number | AnyRoute, listener: Listener): Unsubscribe {
    let id: unknown = key;
    let fn = listener;
    if (typeof key === 'object') {
      const decode = codecs[key.codec].decode;
      id = key.msgId;
      fn = (payload: Uint8Array) => listener(decode(payload));
    } else if (typeof key === 'number' && !isAppMsgId(key)) {
      throw new RangeError(`pushes use application msgIds 1..0x7FFFFFFF, got ${key}`);
    }
    let set = this.#listeners.get(id);
    if (!set) {
      set = new Set();
      this.#listeners.set(id, set);
    }
    set.add(fn);
    return () => set.delete(fn);
  }

  close(reason = 'closed by the client'): void {
    if (this.#state === 'closed') return;
    this.#transport?.close();
    this.#teardown();
    this.#closed(reason, new ConnectFailedError(reason));
  }

  #encode(target: number | AnyRoute, payload: unknown): [number, Uint8Array] {
    if (typeof target === 'object') return [target.msgId, codecs[target.codec].encode(payload)];
    if (!isAppMsgId(target)) throw new RangeError(`application msgIds are 1..0x7FFFFFFF, got ${target}`);
    if (!(payload instanceof Uint8Array))
      throw new CodecError(`a payload sent by msgId must be a Uint8Array`);
    return [target, payload];
  }

  #checkCanEnqueue(): void {
    if (this.#state === 'closed') throw new ConnectionClosedError('send after close');
    if (!this.#ready && this.#out.length >= this.#options.maxQueuedFrames) {
      throw new QueueFullError(this.#options.maxQueuedFrames);
    }
  }

  // Frames go out once per turn, coalesced into one message; while not ready they wait for the connection.
  #enqueue(msgId: number, payload: Uint8Array): void {
    this.#checkCanEnqueue();
    this.#out.push([msgId, payload]);
    if (this.#ready && !this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushQueued = false;
    if (!this.#ready || this.#out.length === 0) return;
    const frames = this.#out;
    this.#out = [];
    this.#transport?.send(encodeFrames(frames));
  }

  #open(): void {
    const generation = ++this.#generation;
    const current = () => generation === this.#generation;
    this.#ready = false;
    this.#reader = new FrameReader(this.#options.maxPayload);
    this.#connectTimer = setTimeout(
      () =>
        this.#drop(
          `no ${this.#options.hello ? 'WELCOME' : 'connection'} within ${this.#options.connectTimeoutMs} ms`,
        ),
      this.#options.connectTimeoutMs,
    );
    this.#transport = this.#factory({
      open: () => current() && this.#onOpen(),
      data: (bytes) => current() && this.#onData(bytes),
      closed: (reason) => current() && this.#onClosed(reason),
    });
  }

  #onOpen(): void {
    this.#lastRx = Date.now();
    if (!this.#options.hello) {
      // Without HELLO there is no session to resume: a reconnect is a new plain session.
      const lost = this.#session !== undefined || this.#attempt > 0;
      this.#ready = true;
      this.#connected({
        resumed: false,
        ...(lost ? this.#loseSession('the client does not send HELLO') : {}),
      });
      return;
    }
    this.#resuming = this.#token !== undefined;
    this.#resumeRefusal = undefined;
    const hello: Hello = this.#resuming
      ? { v: PROTOCOL_VERSION, resume: this.#token!, received: this.#received }
      : {
          v: PROTOCOL_VERSION,
          ...(this.#options.ticket === undefined ? {} : { ticket: this.#options.ticket }),
        };
    this.#transport?.send(encodeFrame(MsgId.Hello, encodeMessage(hello)));
  }

  #onData(bytes: Uint8Array): void {
    this.#lastRx = Date.now();
    try {
      this.#reader.push(bytes, (msgId, payload) => this.#onFrame(msgId, payload));
    } catch (err) {
      if (!(err instanceof WireProtocolError)) throw err;
      this.#drop(`${err.code}: ${err.message}`);
    }
  }

  #onFrame(msgId: number, payload: Uint8Array): void {
    if (msgId === MsgId.Heartbeat) return;
    if (msgId === MsgId.Notice) {
      const notice = decodeNotice(payload);
      if (notice.code === 'RESUME_FAILED') this.#resumeRefusal = notice.message;
      if (TERMINAL_NOTICES.has(notice.code)) this.#terminal = notice;
      this.#emit('notice', notice);
      return;
    }
    if (msgId === MsgId.Welcome) {
      if (!this.#options.hello || this.#ready)
        throw new WireProtocolError('PROTOCOL_ERROR', 'unexpected WELCOME');
      this.#onWelcome(payload);
      return;
    }
    if (!this.#ready) throw new WireProtocolError('PROTOCOL_ERROR', `msgId ${msgId} before WELCOME`);
    // Every other frame is numbered by the gateway: count it for resume.
    this.#received++;
    if (msgId === MsgId.Response) {
      const { requestId, status, body } = decodeResponse(payload);
      this.#pending.settle(requestId, status, body);
    } else if (isAppMsgId(msgId)) {
      this.#emit(msgId, payload);
    } else {
      throw new WireProtocolError('PROTOCOL_ERROR', `msgId 0x${msgId.toString(16)} is not sent by a gateway`);
    }
  }

  #onWelcome(payload: Uint8Array): void {
    const welcome = decodeWelcome(payload);
    this.#ready = true;
    this.#session = welcome.session;
    this.#token = welcome.token;
    this.#uid = welcome.uid;
    this.#heartbeatMs = this.#options.heartbeatMs ?? (welcome.heartbeatMs || DEFAULT_HEARTBEAT_MS);
    if (this.#resuming && !welcome.resumed) {
      const reason = welcome.reason ?? this.#resumeRefusal ?? 'the gateway did not resume the session';
      this.#connected({ resumed: false, ...this.#loseSession(reason) });
    } else {
      if (!this.#resuming) this.#received = 0;
      this.#connected({ resumed: welcome.resumed });
    }
  }

  // The old session is gone: what was in flight or waiting cannot be answered by the new one.
  #loseSession(reason: string): Partial<StateChange> {
    this.#received = 0;
    const dropped = this.#out.length;
    this.#out = [];
    this.#pending.failAll(() => new ResumeFailedError(reason));
    return { reason, dropped };
  }

  #connected(change: Partial<StateChange>): void {
    clearTimeout(this.#connectTimer);
    this.#attempt = 0;
    this.#heartbeatTimer = setInterval(() => this.#heartbeat(), this.#heartbeatMs);
    this.#setState('connected', change);
    if (this.#started) {
      this.#started.resolve();
      this.#started = undefined;
    }
    this.#flushQueued = true;
    queueMicrotask(() => this.#flush());
  }

  #heartbeat(): void {
    const silent = Date.now() - this.#lastRx;
    if (silent > this.#heartbeatMs + this.#options.maxServerDelayMs)
      this.#drop(`server silent for ${silent} ms`);
    else this.#enqueue(MsgId.Heartbeat, EMPTY);
  }

  // The client gives up on the current connection (timeout, silence, bad bytes) and treats it as dropped.
  #drop(reason: string): void {
    this.#transport?.close();
    this.#onClosed(reason);
  }

  #teardown(): void {
    this.#generation++;
    this.#transport = undefined;
    this.#ready = false;
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#reconnectTimer);
  }

  #onClosed(reason: string): void {
    this.#teardown();
    const terminal = this.#terminal;
    if (terminal) {
      this.#closed(
        `${terminal.code}: ${terminal.message}`,
        new RemoteError(terminal.code, terminal.message, terminal.data),
      );
    } else if (this.#started) {
      this.#closed(reason, new ConnectFailedError(reason));
    } else if (!this.#options.reconnect.enabled) {
      this.#closed(reason, new ConnectFailedError(reason));
    } else if (this.#attempt >= this.#options.reconnect.maxAttempts) {
      this.#closed(
        `gave up after ${this.#attempt} reconnect attempts: ${reason}`,
        new ConnectFailedError(reason),
      );
    } else {
      const { minDelayMs, maxDelayMs } = this.#options.reconnect;
      const delayMs = backoffDelay(this.#attempt++, minDelayMs, maxDelayMs);
      this.#setState('reconnecting', { reason, attempt: this.#attempt, delayMs });
      this.#reconnectTimer = setTimeout(() => this.#open(), delayMs);
    }
  }

  #closed(reason: string, startError: Error): void {
    this.#out = [];
    this.#pending.failAll(() => new ConnectionClosedError(reason));
    this.#setState('closed', { reason });
    if (this.#started) {
      this.#started.reject(startError);
      this.#started = undefined;
    }
  }

  #setState(state: ClientState, change: Partial<StateChange>): void {
    const previous = this.#state;
    this.#state = state;
    this.#emit('state', { state, previous, ...change });
  }

  // A listener that throws (or a push that does not decode) must not break the client: report it as 'error'.
  #emit(key: unknown, value: unknown): void {
    const set = this.#listeners.get(key);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(value);
      } catch (err) {
        const errors = this.#listeners.get('error');
        if (key !== 'error' && errors?.size) this.#emit('error', err);
        else
          queueMicrotask(() => {
            throw err;
          });
      }
    }
  }
}
