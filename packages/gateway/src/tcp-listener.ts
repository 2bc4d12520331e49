// The raw TCP listener: frames as a byte stream, one socket per client.
import { createServer, type Server, type Socket } from 'node:net';
import { type AcceptSocket, type ClientSocket, END_GRACE_MS, type Listener } from './socket.js';

class TcpClientSocket implements ClientSocket {
  readonly transport = 'tcp' as const;
  readonly #socket: Socket;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** Read when logged rather than kept per connection. */
  get remote(): string {
    return `${this.#socket.remoteAddress}:${this.#socket.remotePort}`;
  }

  write(bytes: Uint8Array): void {
    if (!this.#socket.destroyed) this.#socket.write(bytes);
  }

  get buffered(): number {
    return this.#socket.writableLength;
  }

  end(): void {
    if (this.#socket.destroyed) return;
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), END_GRACE_MS).unref();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** Starts a TCP listener; resolves once it is bound. */
export async function listenTcp(host: string, port: number, accept: AcceptSocket): Promise<Listener> {
  const server: Server = createServer({ noDelay: true }, (socket) => {
    const events = accept(new TcpClientSocket(socket));
    socket.on('data', (chunk) => events.data(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => events.closed());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  return {
    host,
    port: typeof bound === 'object' && bound !== null ? bound.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
