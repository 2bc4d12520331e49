// Load generator of the gateway scenarios: WebSocket clients spread over several 127.x source
// addresses, one request in flight for round trips, and receipt times for broadcasts.
import { encodeFrame, FrameReader, MsgId, pack } from '@troupe/client/wire';
import { WebSocket } from 'ws';
import { percentile } from '../harness.js';
import { servePeer } from '../peer.js';

export interface ClientOptions {
  url: string;
  count: number;
  /**
   * `wait`: say HELLO and wait for WELCOME (an SDK-style resumable session); `send`: say HELLO to a
   * server that does not answer (a bare server given the same clients); `none`: stay silent.
   */
  hello: 'wait' | 'send' | 'none';
  /** First source address used is 127.0.0.<sourceBase>; clients spread over 8 addresses from there. */
  sourceBase: number;
}

const now = () => performance.timeOrigin + performance.now();

servePeer<ClientOptions>(async (o) => {
  const sockets: WebSocket[] = [];
  let armed = false;
  let received = 0;
  let lastAt = 0;
  let onAll: (() => void) | undefined;
  let onReply: (() => void) | undefined;
  const open = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(o.url, {
        localAddress: `127.0.0.${o.sourceBase + (i % 8)}`,
        perMessageDeflate: false,
      });
      const reader = new FrameReader(1 << 20);
      ws.on('message', (data) =>
        reader.push(data as Buffer, (msgId) => {
          if (msgId === MsgId.Welcome) resolve();
          else if (msgId === 4 && armed) {
            received++;
            if (received === sockets.length) {
              lastAt = now();
              onAll?.();
            }
          } else if (msgId === MsgId.Response || msgId === 1) onReply?.();
        }),
      );
      ws.once('error', reject);
      ws.once('open', () => {
        sockets.push(ws);
        if (o.hello !== 'none') ws.send(encodeFrame(MsgId.Hello, pack({ v: 1 })));
        if (o.hello !== 'wait') resolve();
      });
    });
  for (let i = 0; i < o.count; i += 200) {
    const batch = [];
    for (let j = i; j < Math.min(o.count, i + 200); j++) batch.push(open(j));
    await Promise.all(batch);
  }
  return {
    info: { open: sockets.length },
    commands: {
      /** One request in flight on the first socket for the window; `relay` sends plain echo frames. */
      async rtt(arg: { warmupMs: number; durationMs: number; relay: boolean }) {
        const ws = sockets[0]!;
        const body = new Uint8Array(64).fill(1);
        const request = new Uint8Array(8 + 64);
        new DataView(request.buffer).setUint32(0, 1);
        new DataView(request.buffer).setUint32(4, 1);
        request.set(body, 8);
        const frame = arg.relay ? encodeFrame(1, body) : encodeFrame(MsgId.Request, request);
        const once = () =>
          new Promise<void>((resolve) => {
            onReply = resolve;
            ws.send(frame);
          });
        const until = async (ms: number, record: number[] | undefined) => {
          const end = performance.now() + ms;
          let n = 0;
          while (performance.now() < end) {
            const t = performance.now();
            await once();
            record?.push(performance.now() - t);
            n++;
          }
          return n;
        };
        await until(arg.warmupMs, undefined);
        const lat: number[] = [];
        const t0 = performance.now();
        const n = await until(arg.durationMs, lat);
        const sorted = Float64Array.from(lat).sort();
        return {
          value: n / ((performance.now() - t0) / 1000),
          p50Us: percentile(sorted, 50) * 1000,
          p99Us: percentile(sorted, 99) * 1000,
        };
      },
      arm() {
        armed = true;
        received = 0;
        lastAt = 0;
      },
      /** Resolves with the time the last socket got the broadcast (epoch ms). */
      allReceived(arg: { timeoutMs: number }) {
        if (received === sockets.length) return lastAt;
        return new Promise<number>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`${received}/${sockets.length} got the broadcast`)),
            arg.timeoutMs,
          );
          onAll = () => {
            clearTimeout(timer);
            armed = false;
            resolve(lastAt);
          };
        });
      },
    },
  };
});
