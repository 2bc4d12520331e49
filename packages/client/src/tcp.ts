// Raw TCP transport for Node (a separate entry, `@troupe/client/tcp`, so browser bundles never see `node:net`).

import { connect as netConnect, type Socket } from 'node:net';
import type { ClientTransport, TransportEvents, TransportFactory } from './transport.js';

/** Where to dial: `"host:port"` or `{ host, port }`. */
export type TcpAddress = string | { host: string; port: number };

function parseAddress(address: TcpAddress): { host: string; port: number } {
  if (typeof address !== 'string') return address;
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new RangeError(`TCP address must be "host:port", got ${JSON.stringify(address)}`);
  }
  return { host: address.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port };
}

/**
 * A transport factory speaking the client wire protocol over raw TCP: pass it as `connect(tcp('127.0.0.1:7001'))`.
 * Nagle is off (frames are already coalesced per turn by the client).
 */
export function tcp(address: TcpAddress): TransportFactory {
  const { host, port } = parseAddress(address);
  return (events: TransportEvents): ClientTransport => {
    let done = false;
    const socket: Socket = netConnect({ host, port, noDelay: true });
    const finish = (reason: string): void => {
      if (done) return;
      done = true;
      socket.destroy();
      events.closed(reason);
    };
    socket.once('connect', () => events.open());
    socket.on('data', (chunk: Buffer) => events.data(chunk));
    socket.once('error', (err) => finish(`tcp error: ${err.message}`));
    socket.once('close', () => finish('tcp connection closed'));
    return {
      send: (bytes) => {
        if (!done) socket.write(bytes);
      },
      close: () => {
        done = true;
        socket.destroy();
      },
    };
  };
}
