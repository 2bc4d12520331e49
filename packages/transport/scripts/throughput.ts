// Throughput and ping-pong latency between two TcpTransports in one process.
// Run: node --import tsx --conditions=@troupe/source packages/transport/scripts/throughput.ts [frames] [bodyBytes]
import { Addr, type Frame, TcpTransport } from '@troupe/transport';

const frames = Number(process.argv[2] ?? 100_000);
const bodyBytes = Number(process.argv[3] ?? 32);
const a = Addr.make(1, 1, 1);
const b = Addr.make(1, 1, 2);
const ports = new Map<Addr, number>();
const common = {
  clusterId: 'bench',
  secret: 'bench-secret',
  resolve: (peer: Addr) => ({ host: '127.0.0.1', port: ports.get(peer)! }),
};
const ta = await TcpTransport.start({ ...common, addr: a, incarnation: 'a' });
const tb = await TcpTransport.start({ ...common, addr: b, incarnation: 'b' });
ports.set(a, ta.port);
ports.set(b, tb.port);

const body = new Uint8Array(bodyBytes);

// Warm the link up (and JIT) with one round trip.
await new Promise<void>((resolve) => {
  tb.onFrame = () => resolve();
  ta.send(b, 16, 1, 0, a, body);
});

const rates: number[] = [];
for (let round = 0; round < 7; round++) {
  let got = 0;
  const t0 = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    tb.onFrame = (_f: Frame) => {
      if (++got === frames) resolve();
    };
    for (let i = 0; i < frames; i++) ta.send(b, 16, 1, 0, a, body);
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  rates.push((frames / ms) * 1000);
  console.log(`burst ${round}: ${frames} frames of ${bodyBytes} B in ${ms.toFixed(1)} ms`);
}
rates.sort((x, y) => x - y);
const fmt = (r: number) => Math.round(r).toLocaleString('en');
console.log(
  `burst: median ${fmt(rates[3]!)} msgs/s, best ${fmt(rates[6]!)} msgs/s (7 rounds, first is cold)`,
);

// One in flight: ping-pong round trips.
const trips = 10_000;
let n = 0;
const t1 = process.hrtime.bigint();
await new Promise<void>((resolve) => {
  tb.onFrame = () => tb.send(a, 16, 1, 0, b, body);
  ta.onFrame = () => {
    if (++n === trips) resolve();
    else ta.send(b, 16, 1, 0, a, body);
  };
  ta.send(b, 16, 1, 0, a, body);
});
const us = Number(process.hrtime.bigint() - t1) / 1e3 / trips;
console.log(`ping-pong: ${trips} round trips, ${us.toFixed(1)} us per round trip`);

// Echo with a window of requests in flight: replies are sent from inside the receive path.
for (const window of [16, 256]) {
  const total = 100_000;
  let sent = 0;
  let done = 0;
  const t2 = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    tb.onFrame = () => tb.send(a, 16, 1, 0, b, body);
    ta.onFrame = () => {
      if (++done === total) resolve();
      else if (sent < total) {
        sent++;
        ta.send(b, 16, 1, 0, a, body);
      }
    };
    for (; sent < window; sent++) ta.send(b, 16, 1, 0, a, body);
  });
  const ms2 = Number(process.hrtime.bigint() - t2) / 1e6;
  console.log(
    `echo, ${window} in flight: ${Math.round((total / ms2) * 1000).toLocaleString('en')} round trips/s`,
  );
}

await Promise.all([ta.close(), tb.close()]);
