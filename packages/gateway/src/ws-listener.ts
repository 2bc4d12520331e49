// The WebSocket listener (`ws`): each binary message carries one or more whole frames.
import { WebSocket, WebSocketServer } from 'ws';
import { type AcceptSocket, type ClientSocket, END_GRACE_MS, type Listener } from './socket.js';

class WsClientSocket implements ClientSocket {
  readonly transport = 'ws' as const;
  readonly remote: string;
  readonly #ws: WebSocket;

  constructor(ws: WebSocket, remote: string) {
    this.#ws = ws;
    this.remote = remote;
  }

  write(bytes: Uint8Array): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(bytes, { binary: true });
  }

  get buffered(): number {
    return this.#ws.bufferedAmount;
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
    const events = accept(new WsClientSocket(ws, `${req.socket.remoteAddress}:${req.socket.remotePort}`));
    ws.on('message', (data, isBinary) => {
      if (!isBinary)
        events.invalid('text messages are not part of the protocol; frames travel in binary messages');
      else
        events.data(
          Array.isArray(data)
            ? Buffer.concat(data)
            : data instanceof ArrayBuffer
              ? new Uint8Array(data)
              : data,
        );
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => events.closed());
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
