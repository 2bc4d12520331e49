// Free loopback ports for test clusters and test servers.
import { createServer } from 'node:net';

/**
 * Ports are handed out from below Linux's ephemeral range (32768..60999), where every `listen(0)` and
 * every outgoing connection takes its port: a port picked here and listened on a moment later is not
 * taken meanwhile by a server of a test running beside it. Each process starts at a random place in
 * the range and walks it, so processes running side by side rarely meet.
 */
const LOW = 15_000;
const HIGH = 32_000;
let next = LOW + Math.floor(Math.random() * (HIGH - LOW));

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** Binds port 0 and releases it: the OS's choice, for when the range below has nothing free. */
function ephemeralPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A port on `host` that nothing listens on now, and that `listen(0)` elsewhere will not take. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const port = next;
    next = next + 1 >= HIGH ? LOW : next + 1;
    if (await canListen(port, host)) return port;
  }
  return ephemeralPort(host);
}
