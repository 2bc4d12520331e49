// The raw-TCP echo's two ends over one socket: a server answering each request with its body, and a caller
// matching replies by id. Shared by the remote-ask baselines and `pnpm probe:ask`.
import type { Socket } from 'node:net';
import { makeBody, makePackr } from '../workload.js';
import { BatchWriter, FrameReader } from './framing.js';

/**
 * Answers every request on `socket` with its body: the bytes themselves, or with `codec` the body decoded
 * and re-encoded. The replies of one read go out in one write.
 */
export function answerEchoes(socket: Socket, codec: boolean): void {
  const packr = makePackr();
  const writer = new BatchWriter(socket);
  const reader = new FrameReader((id, buf, start, end) =>
    writer.add(id, codec ? packr.pack(packr.unpack(buf, { start, end })) : buf.subarray(start, end)),
  );
  socket.on('data', (chunk) => {
    reader.push(chunk);
    writer.flush();
  });
}

/**
 * A request function over `socket`: `call(seq)` sends a body and resolves with the reply, matched by id
 * through a resolver map; writes are flushed once per turn. Without `codec` every request carries the same
 * pre-encoded body and replies are not decoded: the transport alone.
 */
export function echoCaller(socket: Socket, codec: boolean): (seq: number) => Promise<unknown> {
  const writer = new BatchWriter(socket);
  const packr = makePackr();
  const waiting = new Map<number, (value: unknown) => void>();
  let nextId = 0;
  const reader = new FrameReader((id, buf, start, end) => {
    const resolve = waiting.get(id);
    if (resolve === undefined) return;
    waiting.delete(id);
    resolve(codec ? packr.unpack(buf, { start, end }) : undefined);
  });
  socket.on('data', (chunk) => reader.push(chunk));
  const encoded = Buffer.from(packr.pack(makeBody(0)));
  return (seq) =>
    new Promise((resolve) => {
      nextId = (nextId + 1) >>> 0;
      const id = nextId;
      waiting.set(id, resolve);
      writer.addAndSchedule(id, codec ? packr.pack(makeBody(seq)) : encoded);
    });
}
