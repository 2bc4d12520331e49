// A probe of the ask path, finer than `pnpm bench`: per side, CPU per request, requests per socket write
// and the time from a socket read to the next write in each process (the "hop"), alternating sides.
import { type ChildProcess, fork } from 'node:child_process';
import { createConnection, createServer, Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { Addr, Node, staticMembership } from '@troupe/runtime';
import { answerEchoes, echoCaller } from '../baselines/echo.js';
import { percentile } from '../harness.js';
import { Echo } from '../troupe/actors.js';
import { makeBody } from '../workload.js';

const USAGE = `usage: pnpm probe:ask [--sides troupe,msgpack] [--in-flight N] [--asks N] [--rounds N] [--prompt-flush-bytes N]
  Runs each side --rounds times, alternately: a caller here and a server in a forked process, --in-flight
  loops each awaiting one request at a time, --asks requests measured after 50,000 of warm-up.`;

type SideName = 'troupe' | 'msgpack';

/** What one process saw over the measured requests. */
interface ProcessFigures {
  cpuUs: number;
  writes: number;
  hopsUs: number[];
}

/** Counts socket writes and times each read ('data', or an `onread` callback) to the next write, in this process. */
const probe = { writes: 0, hops: [] as number[], dataAt: -1, on: false };
{
  const emit = Socket.prototype.emit;
  Socket.prototype.emit = function (this: Socket, event: string | symbol, ...args: unknown[]): boolean {
    if (probe.on && event === 'data' && probe.dataAt < 0) probe.dataAt = performance.now();
    return (emit as (...a: unknown[]) => boolean).apply(this, [event, ...args]);
  } as typeof emit;
  // A socket reading into its own buffers (`net` `onread`, as Troupe's plain links do) emits no 'data':
  // its read callback, kept under Node's `kBufferCb` symbol, is wrapped the first time it writes.
  const wrapped = new WeakSet<Socket>();
  const watchReads = (socket: Socket): void => {
    wrapped.add(socket);
    const key = Object.getOwnPropertySymbols(socket).find((k) => k.description === 'kBufferCb');
    const target = socket as unknown as Record<symbol, unknown>;
    const callback = key === undefined ? undefined : target[key];
    if (key === undefined || typeof callback !== 'function') return;
    target[key] = (...args: unknown[]) => {
      if (probe.on && probe.dataAt < 0) probe.dataAt = performance.now();
      return (callback as (...a: unknown[]) => unknown).apply(socket, args);
    };
  };
  const write = Socket.prototype.write;
  Socket.prototype.write = function (this: Socket, ...args: unknown[]): boolean {
    if (!wrapped.has(this)) watchReads(this);
    if (probe.on) {
      probe.writes++;
      if (probe.dataAt >= 0) probe.hops.push((performance.now() - probe.dataAt) * 1000);
      probe.dataAt = -1;
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof write;
}

function startProbe(): NodeJS.CpuUsage {
  probe.writes = 0;
  probe.hops = [];
  probe.dataAt = -1;
  probe.on = true;
  return process.cpuUsage();
}

function stopProbe(since: NodeJS.CpuUsage): ProcessFigures {
  probe.on = false;
  const cpu = process.cpuUsage(since);
  return { cpuUs: cpu.user + cpu.system, writes: probe.writes, hopsUs: probe.hops };
}

const SECRET = 'troupe-probe';

/** `--prompt-flush-bytes`, handed to both Troupe nodes' links (the transport's default when absent). */
function link() {
  const bytes = process.env.PROBE_PROMPT_FLUSH_BYTES;
  return bytes === undefined ? undefined : { promptFlushBytes: Number(bytes) };
}

function troupeMembers(ports: [number, number]) {
  return staticMembership([
    { addr: '1.1.1', port: ports[0] },
    { addr: '1.2.1', port: ports[1] },
  ]);
}

/** The server process: answers requests, and reports its figures between `start` and `stop`. */
async function serve(side: SideName, ports: [number, number]): Promise<void> {
  let close: () => Promise<void>;
  if (side === 'troupe') {
    const node = await Node.start({
      addr: '1.2.1',
      secret: SECRET,
      listen: { port: ports[1] },
      membership: troupeMembers(ports),
      link: link(),
    });
    node.spawn(Echo, { name: 'echo' });
    close = () => node.stop();
  } else {
    const server = createServer({ noDelay: true }, (socket) => answerEchoes(socket, true));
    await new Promise<void>((resolve) => server.listen(ports[1], '127.0.0.1', resolve));
    close = () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.unref();
      });
  }
  let since = process.cpuUsage();
  process.on('message', async (msg: string) => {
    if (msg === 'start') {
      since = startProbe();
      process.send?.('started');
    } else if (msg === 'stop') {
      process.send?.(stopProbe(since));
    } else if (msg === 'close') {
      await close();
      process.disconnect();
    }
  });
  process.send?.('ready');
}

/** The caller's request function for a side. */
async function client(side: SideName, ports: [number, number]) {
  if (side === 'troupe') {
    const node = await Node.start({
      addr: '1.1.1',
      secret: SECRET,
      listen: { port: ports[0] },
      membership: troupeMembers(ports),
      link: link(),
    });
    const echo = node.ref<typeof Echo>({ node: Addr.parse('1.2.1'), name: 'echo' });
    return { call: (seq: number) => echo.call.echo(makeBody(seq)), close: () => node.stop() };
  }
  const socket = createConnection({ host: '127.0.0.1', port: ports[1], noDelay: true });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return {
    call: echoCaller(socket, true),
    close: async () => {
      socket.destroy();
    },
  };
}

function ask<T>(child: ChildProcess, msg: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(msg);
  });
}

/** One measured run of one side: a fresh pair of processes. */
async function run(side: SideName, inFlight: number, asks: number, ports: [number, number]) {
  const child = fork(new URL(import.meta.url).pathname, ['--serve', side, '--ports', ports.join(',')], {
    execArgv: process.execArgv,
  });
  await new Promise((resolve) => child.once('message', resolve));
  const c = await client(side, ports);
  let seq = 0;
  const latencies: number[] = [];
  const loops = async (n: number, timed: boolean) => {
    let left = n;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (left-- > 0) {
          const t0 = performance.now();
          await c.call(seq++);
          if (timed) latencies.push((performance.now() - t0) * 1000);
        }
      }),
    );
  };
  await loops(50_000, false);
  await ask(child, 'start');
  const since = startProbe();
  const t0 = performance.now();
  await loops(asks, true);
  const seconds = (performance.now() - t0) / 1000;
  const caller = stopProbe(since);
  const server = await ask<ProcessFigures>(child, 'stop');
  await c.close();
  child.send('close');
  await new Promise((resolve) => child.once('exit', resolve));
  latencies.sort((a, b) => a - b);
  const hop = (p: ProcessFigures) =>
    percentile(
      p.hopsUs.sort((a, b) => a - b),
      50,
    );
  return {
    side,
    rate: Math.round(asks / seconds),
    p50Us: +percentile(latencies, 50).toFixed(1),
    p99Us: +percentile(latencies, 99).toFixed(1),
    cpuUsPerAsk: { caller: +(caller.cpuUs / asks).toFixed(2), server: +(server.cpuUs / asks).toFixed(2) },
    asksPerWrite: { caller: +(asks / caller.writes).toFixed(1), server: +(asks / server.writes).toFixed(1) },
    hopUs: { caller: +hop(caller).toFixed(1), server: +hop(server).toFixed(1) },
  };
}

const { values } = parseArgs({
  options: {
    sides: { type: 'string', default: 'troupe,msgpack' },
    'in-flight': { type: 'string', default: '100' },
    asks: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '3' },
    serve: { type: 'string' },
    ports: { type: 'string', default: '17301,17302' },
    'prompt-flush-bytes': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
const ports = values.ports.split(',').map(Number) as [number, number];
if (values['prompt-flush-bytes'] !== undefined)
  process.env.PROBE_PROMPT_FLUSH_BYTES = values['prompt-flush-bytes'];
if (values.help) {
  console.log(USAGE);
} else if (values.serve !== undefined) {
  await serve(values.serve as SideName, ports);
} else {
  const sides = values.sides.split(',') as SideName[];
  for (const s of sides)
    if (s !== 'troupe' && s !== 'msgpack') throw new Error(`unknown side ${s}\n${USAGE}`);
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const side of sides) {
      const figures = await run(side, Number(values['in-flight']), Number(values.asks), ports);
      console.log(JSON.stringify(figures));
    }
  }
}
