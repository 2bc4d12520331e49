// Worker for stream-bulk's baseline: bytes pushed through one raw loopback TCP connection as fast as it drains.
import { createConnection, createServer } from 'node:net';
import { cpuUs } from '../bulk-side.js';
import { type Peer, servePeer } from '../peer.js';

export type RawBulkOptions = { role: 'sink' } | { role: 'source'; port: number; chunk: number };

servePeer<RawBulkOptions>(async (o): Promise<Peer> => {
  if (o.role === 'sink') {
    let bytes = 0;
    const server = createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
    });
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    return {
      info: { port },
      commands: { mark: () => ({ count: bytes, t: performance.now(), cpuUs: cpuUs() }) },
    };
  }
  const socket = createConnection({ host: '127.0.0.1', port: o.port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const chunk = Buffer.alloc(o.chunk, 7);
  let running = false;
  let onIdle: (() => void) | undefined;
  const pump = (): void => {
    while (running) {
      if (!socket.write(chunk)) {
        socket.once('drain', pump);
        return;
      }
    }
    onIdle?.();
    onIdle = undefined;
  };
  return {
    commands: {
      mark: () => ({ count: 0, t: performance.now(), cpuUs: cpuUs() }),
      start() {
        running = true;
        setImmediate(pump);
      },
      stop: () =>
        new Promise<void>((resolve) => {
          onIdle = resolve;
          running = false;
          if (socket.writableNeedDrain) socket.once('drain', () => onIdle?.());
        }),
    },
  };
});
