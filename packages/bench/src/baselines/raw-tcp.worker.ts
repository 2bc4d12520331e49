// Worker for the raw-TCP baselines: one role per process, length-prefixed msgpack over loopback.
import { createConnection, createServer, type Socket } from 'node:net';
import { Meter, type Peer, servePeer } from '../peer.js';
import { makeBody, makePackr, TELL_BATCH } from '../workload.js';
import { answerEchoes, echoCaller } from './echo.js';
import { BatchWriter, FrameReader } from './framing.js';

export type RawTcpOptions =
  | { role: 'sink' }
  | { role: 'source'; port: number }
  | { role: 'echo-server'; codec: boolean }
  | { role: 'echo-client'; port: number; inFlight: number; codec: boolean };

function listen(onSocket: (socket: Socket) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer({ noDelay: true }, onSocket);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address !== null && typeof address === 'object') resolve(address.port);
      else reject(new Error('no port from listen(0)'));
    });
  });
}

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port, noDelay: true });
    socket.once('error', reject);
    socket.once('connect', () => resolve(socket));
  });
}

/** Receives one-way frames, decodes each body, counts it. */
async function sink(): Promise<Peer> {
  const meter = new Meter();
  const packr = makePackr();
  const port = await listen((socket) => {
    const reader = new FrameReader((_id, buf, start, end) => {
      packr.unpack(buf, { start, end });
      meter.hit();
    });
    socket.on('data', (chunk) => reader.push(chunk));
  });
  return { info: { port }, commands: { mark: () => meter.mark() } };
}

/** Sends `TELL_BATCH` freshly encoded bodies per turn in one write, honouring the socket's backpressure. */
async function source(port: number): Promise<Peer> {
  const socket = await connect(port);
  const writer = new BatchWriter(socket);
  const packr = makePackr();
  let running = false;
  let seq = 0;
  let onIdle: (() => void) | undefined;
  const pump = (): void => {
    if (!running) {
      onIdle?.();
      onIdle = undefined;
      return;
    }
    for (let i = 0; i < TELL_BATCH; i++) writer.add(0, packr.pack(makeBody(seq++)));
    if (writer.flush()) setImmediate(pump);
    else socket.once('drain', pump);
  };
  return {
    commands: {
      start() {
        running = true;
        setImmediate(pump);
      },
      stop: () =>
        new Promise<void>((resolve) => {
          onIdle = resolve;
          running = false;
        }),
    },
  };
}

/** Echoes every request on every connection (`answerEchoes`). */
async function echoServer(codec: boolean): Promise<Peer> {
  const port = await listen((socket) => answerEchoes(socket, codec));
  return { info: { port }, commands: {} };
}

/** `inFlight` loops, each awaiting one request at a time (`echoCaller`), every round trip timed. */
async function echoClient(port: number, inFlight: number, codec: boolean): Promise<Peer> {
  const call = echoCaller(await connect(port), codec);
  const meter = new Meter();
  let running = false;
  let seq = 0;
  let loops: Promise<void>[] = [];
  const loop = async (): Promise<void> => {
    while (running) {
      const t0 = performance.now();
      await call(seq++);
      meter.hit(performance.now() - t0);
    }
  };
  return {
    commands: {
      start() {
        running = true;
        loops = Array.from({ length: inFlight }, loop);
      },
      async stop() {
        running = false;
        await Promise.all(loops);
      },
      mark: () => meter.mark(),
    },
  };
}

servePeer<RawTcpOptions>((o) => {
  switch (o.role) {
    case 'sink':
      return sink();
    case 'source':
      return source(o.port);
    case 'echo-server':
      return echoServer(o.codec);
    case 'echo-client':
      return echoClient(o.port, o.inFlight, o.codec);
  }
});
