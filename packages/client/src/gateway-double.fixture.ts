// A small gateway double for the SDK's tests: the client wire protocol over `ws` and TCP, written from the contract.

import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { decodeHello, encodeMessage, type Notice } from './messages.js';
import { pack, unpack } from './msgpack.js';
import { decodeRequest, encodeFrame, encodeResponse, FrameReader, MsgId } from './wire.js';

/** One client connection as the double sees it. */
interface Conn {
  write(bytes: Uint8Array): void;
  kill(): void;
}

/** A session: survives its connection for resume, numbers the frames it sends. */
interface DoubleSession {
  id: string;
  token: string;
  uid: string | undefined;
  conn: Conn | undefined;
  seq: number;
  log: Array<[seq: number, frame: Uint8Array]>;
}

export interface GatewayDoubleOptions {
  heartbeatMs: number;
  /** Frames a session keeps for replay; older ones make a resume fail. */
  replayLimit: number;
}

/** The gateway double: routes echo(1, raw), login(2), add(8), shout(4, push to all), fail(10), hang(11), kickme(6). */
export class GatewayDouble {
  readonly sessions = new Map<string, DoubleSession>();
  readonly hellos: unknown[] = [];
  /** Frames received per msgId (REQUEST bodies counted under their route). */
  readonly received: number[] = [];
  /** While true the double neither answers nor echoes: a silent server. */
  silent = false;
  /** Requests to route 12 (`held`), answered only by `answerHeld`. */
  readonly held: Array<{ session: DoubleSession; requestId: number }> = [];
  #requestId = 0;
  #nextSession = 1;
  readonly #options: GatewayDoubleOptions;
  readonly #wss: WebSocketServer;
  readonly #tcp: Server;
  readonly #conns = new Set<Conn>();

  private constructor(options: GatewayDoubleOptions, wss: WebSocketServer, tcp: Server) {
    this.#options = options;
    this.#wss = wss;
    this.#tcp = tcp;
    wss.on('connection', (ws: WebSocket) => {
      const conn: Conn = { write: (b) => ws.send(b), kill: () => ws.terminate() };
      this.#attach(
        conn,
        (feed) => ws.on('message', (data: Buffer) => feed(data)),
        () => ws.close(),
      );
      ws.on('close', () => this.#detach(conn));
    });
    tcp.on('connection', (socket: Socket) => {
      const conn: Conn = { write: (b) => socket.write(b), kill: () => socket.destroy() };
      this.#attach(
        conn,
        (feed) => socket.on('data', feed),
        () => socket.destroy(),
      );
      socket.on('close', () => this.#detach(conn));
      socket.on('error', () => {});
    });
  }

  static async start(options: Partial<GatewayDoubleOptions> = {}): Promise<GatewayDouble> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const tcp = createServer();
    tcp.listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    return new GatewayDouble({ heartbeatMs: 1_000, replayLimit: 100, ...options }, wss, tcp);
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${(this.#wss.address() as { port: number }).port}`;
  }
  get tcpAddress(): string {
    return `127.0.0.1:${(this.#tcp.address() as { port: number }).port}`;
  }
  get connections(): number {
    return this.#conns.size;
  }

  /** Cuts every connection abruptly (sessions stay resumable). */
  dropAll(): void {
    for (const conn of this.#conns) conn.kill();
  }

  /** Forgets every session: the next resume fails. */
  forgetSessions(): void {
    this.sessions.clear();
  }

  /** Sends a numbered push to every session, connected or not (buffered for replay). */
  broadcast(msgId: number, body: unknown): void {
    for (const session of this.sessions.values()) this.#numbered(session, encodeFrame(msgId, pack(body)));
  }

  /** Like `broadcast`, with the payload bytes as given. */
  broadcastBytes(msgId: number, payload: Uint8Array): void {
    for (const session of this.sessions.values()) this.#numbered(session, encodeFrame(msgId, payload));
  }

  /** Sends a NOTICE to every connected session, then closes them when `close` is set. */
  notice(notice: Notice, close: boolean): void {
    for (const conn of this.#conns) {
      conn.write(encodeFrame(MsgId.Notice, encodeMessage(notice)));
      if (close) conn.kill();
    }
  }

  /** Answers every held request with `reply` (numbered: buffered for replay when the session is disconnected). */
  answerHeld(reply: unknown): void {
    for (const { session, requestId } of this.held.splice(0)) {
      this.#numbered(session, encodeFrame(MsgId.Response, encodeResponse(requestId, 0, pack(reply))));
    }
  }

  async close(): Promise<void> {
    this.dropAll();
    await Promise.all([
      new Promise<void>((resolve) => this.#wss.close(() => resolve())),
      new Promise<void>((resolve) => this.#tcp.close(() => resolve())),
    ]);
  }

  #attach(conn: Conn, onBytes: (feed: (bytes: Uint8Array) => void) => void, close: () => void): void {
    this.#conns.add(conn);
    const reader = new FrameReader(1 << 20);
    let session: DoubleSession | undefined;
    let first = true;
    onBytes((bytes) => {
      try {
        reader.push(bytes, (msgId, payload) => {
          if (this.silent) return;
          this.received.push(msgId);
          if (first && msgId === MsgId.Hello) session = this.#hello(conn, decodeHello(payload));
          else session ??= this.#plainSession(conn);
          first = false;
          if (msgId === MsgId.Heartbeat) conn.write(encodeFrame(MsgId.Heartbeat, payload));
          else if (msgId === MsgId.Request) this.#request(session, payload);
          else if (msgId !== MsgId.Hello) this.#plain(session, msgId, payload);
        });
      } catch {
        close();
      }
    });
  }

  #detach(conn: Conn): void {
    this.#conns.delete(conn);
    for (const session of this.sessions.values()) if (session.conn === conn) session.conn = undefined;
  }

  #newSession(conn: Conn, uid?: string): DoubleSession {
    const id = `s${this.#nextSession++}`;
    const session: DoubleSession = { id, token: `t-${id}`, uid, conn, seq: 0, log: [] };
    this.sessions.set(session.token, session);
    return session;
  }

  #plainSession(conn: Conn): DoubleSession {
    return this.#newSession(conn);
  }

  #hello(conn: Conn, hello: { resume?: string; received?: number; ticket?: string }): DoubleSession {
    this.hellos.push(hello);
    let reason: string | undefined;
    if (hello.resume !== undefined) {
      const old = this.sessions.get(hello.resume);
      const received = hello.received ?? 0;
      const oldest = old?.log[0]?.[0] ?? (old ? old.seq + 1 : 0);
      if (old && received + 1 >= oldest) {
        old.conn?.kill();
        old.conn = conn;
        conn.write(this.#welcome(old, true));
        for (const [seq, frame] of old.log) if (seq > received) conn.write(frame);
        return old;
      }
      reason = old ? 'missed frames are no longer buffered' : 'unknown or expired session';
      conn.write(encodeFrame(MsgId.Notice, encodeMessage({ code: 'RESUME_FAILED', message: reason })));
    }
    const uid = hello.ticket?.startsWith('ticket:') ? hello.ticket.slice(7) : undefined;
    if (hello.ticket !== undefined && uid === undefined) {
      conn.write(encodeFrame(MsgId.Notice, encodeMessage({ code: 'TICKET_INVALID', message: 'bad ticket' })));
      conn.kill();
      return this.#newSession(conn);
    }
    const session = this.#newSession(conn, uid);
    conn.write(this.#welcome(session, false, reason));
    return session;
  }

  #welcome(session: DoubleSession, resumed: boolean, reason?: string): Uint8Array {
    const welcome = {
      session: session.id,
      token: session.token,
      resumed,
      heartbeatMs: this.#options.heartbeatMs,
      idleMs: this.#options.heartbeatMs * 3,
      maxFrame: 1 << 20,
      ...(session.uid === undefined ? {} : { uid: session.uid }),
      ...(reason === undefined ? {} : { reason }),
    };
    return encodeFrame(MsgId.Welcome, encodeMessage(welcome));
  }

  #numbered(session: DoubleSession, frame: Uint8Array): void {
    session.log.push([++session.seq, frame]);
    if (session.log.length > this.#options.replayLimit) session.log.shift();
    session.conn?.write(frame);
  }

  // What a backend would do for each route; undefined means no answer at all (the `hang` route).
  #handle(
    session: DoubleSession,
    msgId: number,
    body: Uint8Array,
  ): [status: 0 | 1, body: Uint8Array] | undefined {
    const req = msgId !== 1 && body.length ? (unpack(body) as Record<string, any>) : undefined;
    switch (msgId) {
      case 1:
        return [0, body];
      case 2:
        session.uid = String(req?.uid);
        return [0, pack({ uid: session.uid })];
      case 8:
        return [0, pack({ sum: req?.a + req?.b })];
      case 4:
        if (!session.uid) return [1, pack({ code: 'UNAUTHORIZED', message: 'log in first' })];
        this.broadcast(4, { from: session.uid, text: req?.text });
        return [0, new Uint8Array(0)];
      case 6:
        session.conn?.write(encodeFrame(MsgId.Notice, encodeMessage({ code: 'KICKED', message: 'bye' })));
        session.conn?.kill();
        this.sessions.delete(session.token);
        return undefined;
      case 10:
        return [1, pack({ code: 'BACKEND_ERROR', message: 'it failed', data: { why: 'test' } })];
      case 11:
        return undefined;
      case 12:
        this.held.push({ session, requestId: this.#requestId });
        return undefined;
      default:
        return [1, pack({ code: 'BLOCKED', message: `msgId ${msgId} is blocked` })];
    }
  }

  #request(session: DoubleSession, payload: Uint8Array): void {
    const { requestId, msgId, body } = decodeRequest(payload);
    this.#requestId = requestId;
    this.received.push(msgId);
    const answer = this.#handle(session, msgId, body);
    if (answer) this.#numbered(session, encodeFrame(MsgId.Response, encodeResponse(requestId, ...answer)));
  }

  #plain(session: DoubleSession, msgId: number, body: Uint8Array): void {
    const answer = this.#handle(session, msgId, body);
    if (answer?.[0] === 0 && answer[1].length > 0) this.#numbered(session, encodeFrame(msgId, answer[1]));
  }
}
