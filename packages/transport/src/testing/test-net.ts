// A set of transports on loopback with a shared address book, for tests; closes all it started.
import { EventEmitter } from 'eventemitter3';
import { type Logger, pino } from 'pino';
import { Addr } from '../addr.js';
import type { Frame } from '../frame.js';
import type { TransportOptions } from '../options.js';
import { TcpTransport } from '../transport.js';
import type { RawPeer, RawServer } from './raw-peer.js';

/** A frame received by a test transport, copied out of the socket chunk. */
export interface Received {
  kind: number;
  flags: number;
  from: number;
  to: number;
  body: Buffer;
  via: Addr;
}

/** Frames a transport received, with an event per frame to wait on. */
export class Inbox extends EventEmitter<{ frame: (f: Received) => void }> {
  readonly frames: Received[] = [];
  readonly handler = (frame: Frame, via: Addr): void => {
    const r: Received = {
      kind: frame.kind,
      flags: frame.flags,
      from: frame.from,
      to: frame.to,
      body: Buffer.from(frame.body),
      via,
    };
    this.frames.push(r);
    this.emit('frame', r);
  };
}

let incarnations = 0;

/** Transports started here resolve each other by address; `closeAll` destroys everything it opened. */
export class TestNet {
  /** The address book: addr -> port. */
  readonly ports = new Map<number, number>();
  private readonly opened: TcpTransport[] = [];
  private readonly peers: RawPeer[] = [];
  private readonly servers: RawServer[] = [];

  constructor(private readonly defaults: Partial<TransportOptions> = {}) {}

  readonly resolve = (peer: Addr): { host: string; port: number } | undefined => {
    const port = this.ports.get(peer);
    return port === undefined ? undefined : { host: '127.0.0.1', port };
  };

  /** Starts a transport at `addr` (registered in the address book) with an inbox attached. */
  async start(
    addr: string | Addr,
    options: Partial<TransportOptions> = {},
  ): Promise<TcpTransport & { inbox: Inbox }> {
    const a = Addr.of(addr);
    const t = await TcpTransport.start({
      addr: a,
      clusterId: 'test-cluster',
      secret: 'test-secret',
      incarnation: `${Addr.format(a)}#${++incarnations}`,
      resolve: this.resolve,
      ...this.defaults,
      ...options,
    });
    this.opened.push(t);
    this.ports.set(a, t.port);
    const inbox = new Inbox();
    t.onFrame = inbox.handler;
    return Object.assign(t, { inbox });
  }

  /** Registers a raw server to be closed by `closeAll`. */
  track(server: RawServer): RawServer {
    this.servers.push(server);
    return server;
  }

  /** Registers a raw peer to be destroyed by `closeAll`. */
  trackPeer(peer: RawPeer): RawPeer {
    this.peers.push(peer);
    return peer;
  }

  async closeAll(): Promise<void> {
    for (const t of this.opened) t.destroy();
    for (const p of this.peers) p.destroy();
    await Promise.all([...this.opened.map((t) => t.close()), ...this.servers.map((s) => s.close())]);
    this.opened.length = 0;
    this.peers.length = 0;
    this.servers.length = 0;
  }
}

/** A pino logger whose lines are kept as parsed objects, to assert on what was logged. */
export function captureLogs(level: 'debug' | 'info' | 'warn' = 'info'): {
  logger: Logger;
  lines: Record<string, unknown>[];
  text: () => string;
} {
  const lines: Record<string, unknown>[] = [];
  const stream = {
    write(line: string) {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  };
  return {
    logger: pino({ level }, stream),
    lines,
    text: () => lines.map((l) => JSON.stringify(l)).join('\n'),
  };
}
