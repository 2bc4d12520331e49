// The WebSocket listener (`ws`): each binary message carries one or more whole frames.
import type { Socket } from 'node:net';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import {
  type AcceptSocket,
  type ClientSocket,
  END_GRACE_MS,
  type Listener,
  type SocketEvents,
  sharedFrames,
} from './socket.js';

/**
 * WebSocket messages already framed, by the bytes they carry. A broadcast hands every session the same
 * frame bytes; framing them once and writing the result to each socket saves a header, a cork and
 * two writes per session. Entries go when the bytes are collected.
 */
const framed = new WeakMap<Uint8Array, Buffer>();

/** An unmasked, final, binary WebSocket frame (RFC 6455 5.2) around `bytes`. */
function wsFrame(bytes: Uint8Array): Buffer {
  const n = bytes.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + n);
  out[0] = 0x82;
  if (n < 126) out[1] = n;
  else if (n < 65536) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    out.writeUInt32BE(n >>> 0, 6);
  }
  out.set(bytes, head);
  return out;
}

class WsClientSocket implements ClientSocket {
  readonly transport = 'ws' as const;
  readonly #ws: WebSocket;
  /** The TCP socket under `ws`. */
  readonly #tcp: Socket;
  /**
   * Without deflate, `ws` never queues a message (its sender writes at once), so frames built here
   * can go straight to the TCP socket in order with its own control frames: one buffer and one write
   * per message instead of a header, a cork and two writes.
   */
  readonly #direct: boolean;

  constructor(ws: WebSocket, tcp: Socket, deflate: boolean) {
    this.#ws = ws;
    this.#tcp = tcp;
    this.#direct = !deflate && (ws as unknown as { _socket?: Socket })._socket === tcp;
  }

  /** Read when logged rather than kept: idle connections are counted in tens of thousands. */
  get remote(): string {
    return `${this.#tcp.remoteAddress}:${this.#tcp.remotePort}`;
  }

  write(bytes: Uint8Array): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    if (!this.#direct) {
      this.#ws.send(bytes, { binary: true });
      return;
    }
    let frame = framed.get(bytes);
    if (frame === undefined) {
      frame = wsFrame(bytes);
      if (sharedFrames.has(bytes)) framed.set(bytes, frame);
    }
    this.#tcp.write(frame);
  }

  get buffered(): number {
    // Read once per socket per fan-out: the TCP socket's own count is all there is when writing direct.
    return this.#direct ? this.#tcp.writableLength : this.#ws.bufferedAmount;
  }

  end(): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.close(1000);
    setTimeout(() => this.#ws.terminate(), END_GRACE_MS).unref();
  }

  destroy(): void {
    this.#ws.terminate();
  }
}

/**
 * Where a WebSocket's events go, kept on the WebSocket itself: its handlers below are shared by every
 * connection instead of three closures made per connection (idle connections count in tens of
 * thousands).
 */
const EVENTS = Symbol('troupe.socketEvents');
type Tracked = WebSocket & { [EVENTS]: SocketEvents };

function eventsOf(ws: WebSocket): SocketEvents {
  return (ws as Tracked)[EVENTS];
}

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  if (!isBinary)
    eventsOf(this).invalid('text messages are not part of the protocol; frames travel in binary messages');
  else
    eventsOf(this).data(
      Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data,
    );
}

function onError(this: WebSocket): void {
  this.terminate();
}

function onClose(this: WebSocket): void {
  eventsOf(this).closed();
}

/** Options of the WebSocket listener. */
export interface WsListenerOptions {
  host: string;
  port: number;
  maxPayload: number;
  perMessageDeflate: boolean;
}

/** Starts a WebSocket listener; resolves once it is bound. */
export async function listenWs(options: WsListenerOptions, accept: AcceptSocket): Promise<Listener> {
  const server = new WebSocketServer({
    host: options.host,
    port: options.port,
    maxPayload: options.maxPayload,
    perMessageDeflate: options.perMessageDeflate,
    clientTracking: false,
  });
  server.on('connection', (ws, req) => {
    (ws as Tracked)[EVENTS] = accept(new WsClientSocket(ws, req.socket as Socket, options.perMessageDeflate));
    ws.on('message', onMessage);
    ws.on('error', onError);
    ws.on('close', onClose);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  return {
    host: options.host,
    port: typeof bound === 'object' && bound !== null ? bound.port : options.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
