import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BatchWriter } from './batch-writer.js';

/** A socket stand-in: records writes, says "saturated" when told, completes writes when told. */
function fakeSocket() {
  const writes: { chunk: Buffer; done: (err?: Error | null) => void }[] = [];
  const socket = {
    writableLength: 0,
    saturated: false,
    write(chunk: Buffer, done: (err?: Error | null) => void): boolean {
      writes.push({ chunk, done });
      return !socket.saturated;
    },
  };
  return { socket, writes };
}

function setup() {
  const { socket, writes } = fakeSocket();
  const totals = { framesOut: 0, bytesOut: 0, writes: 0 };
  const traffic = { framesOut: 0, bytesOut: 0 };
  let written = 0;
  const writer = new BatchWriter(socket as unknown as Socket, totals, traffic, () => written++);
  const frame = (text: string) => writer.out.frame(16, 0, 0, 1, 2, Buffer.from(text));
  return { socket, writes, totals, traffic, writer, frame, written: () => written };
}

describe('BatchWriter', () => {
  it('writes every frame gathered since the last write in one socket.write, and counts it', () => {
    const { writes, totals, traffic, writer, frame } = setup();
    frame('a');
    frame('bb');
    writer.write();
    writer.write();
    expect(writes).toHaveLength(1);
    expect(totals).toEqual({ framesOut: 2, bytesOut: 15 * 2 + 3, writes: 1 });
    expect(traffic).toEqual({ framesOut: 2, bytesOut: 33 });
  });

  it('gathers while the socket is saturated, then writes it all once drained', () => {
    const { socket, writes, writer, frame } = setup();
    socket.saturated = true;
    frame('first');
    writer.write();
    frame('second');
    frame('third');
    writer.write();
    expect(writes).toHaveLength(1);
    // The last batch before an end goes out regardless.
    writer.write(true);
    expect(writes).toHaveLength(2);
    frame('fourth');
    writer.write();
    expect(writes).toHaveLength(2);
    socket.saturated = false;
    writer.drained();
    writer.write();
    expect(writes).toHaveLength(3);
  });

  it('counts as dropped what was not confirmed written, including failed writes', () => {
    const { writes, writer, frame, written } = setup();
    frame('a');
    writer.write();
    frame('b');
    frame('c');
    writer.write();
    frame('d');
    writes[0]!.done(); // one frame confirmed
    writes[1]!.done(new Error('EPIPE')); // two frames lost
    expect(written()).toBe(1);
    // Lost (2) + still batched (1).
    expect(writer.drop()).toBe(3);
    expect(writer.drop()).toBe(0);
  });

  it('reports queued bytes: the socket’s plus the batch', () => {
    const { socket, writer, frame } = setup();
    socket.writableLength = 100;
    frame('xyz');
    expect(writer.queuedBytes).toBe(118);
  });
});
