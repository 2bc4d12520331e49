// Bad input from an authenticated peer is answered with a named error or dead-lettered; it never
// crashes the actor or the node, and other traffic on the same link is unaffected.

import { CallWriter, decodeArg, Kind, ReplyStatus } from '@troupe/runtime/internal';
import { createTestCluster, type TestCluster, waitFor } from '@troupe/runtime/testing';
import { Addr, encodeBody, TcpTransport } from '@troupe/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { Counter } from './actors.js';

let cluster: TestCluster | undefined;
let raw: TcpTransport | undefined;
afterEach(async () => {
  raw?.destroy();
  raw = undefined;
  await cluster?.close();
  cluster = undefined;
});

describe('bad input from a peer', () => {
  it('answers or dead-letters malformed frames and keeps serving the same link', async () => {
    cluster = await createTestCluster({ nodes: ['1.2.1'] });
    const node = cluster.node('1.2.1');
    node.spawn(Counter, { name: 'counter', args: { start: 0 } });
    const self = Addr.parse('1.9.1');
    const replies: Array<[number, number, unknown]> = [];
    raw = await TcpTransport.start({
      addr: self,
      clusterId: 'troupe',
      secret: 'test-cluster-secret',
      incarnation: 'raw-1',
      resolve: (p) => (p === node.addr ? { host: '127.0.0.1', port: node.port } : undefined),
    });
    raw.onFrame = (frame) => {
      if (frame.kind === Kind.Reply) {
        const b = frame.body;
        replies.push([b.readUInt32BE(0), b[4]!, decodeArg(frame.flags, b, 5)]);
      }
    };
    const send = (kind: number, body: Uint8Array, flags = 0) =>
      raw!.send(node.addr, kind, flags, 4, self, body);
    const writer = new CallWriter();
    const callBody = (askId: number, target: string, handler: string, arg: unknown) =>
      Buffer.concat([Buffer.from(writer.head(askId, target, handler, undefined)), encodeBody(arg)]);
    const ask = ([target, handler, arg, id]: [string, string, unknown, number]) =>
      send(Kind.Ask, callBody(id, target, handler, arg));

    ask(['counter', 'add', 1, 1]);
    await waitFor(() => replies.length === 1, 2000, 'first reply');
    expect(replies[0]).toEqual([1, ReplyStatus.Ok, 1]);
    const lettersBefore = node.deadLetters;

    send(Kind.Tell, Buffer.from([0xc1, 0xc1, 0xc1])); // a head that runs past the body
    send(
      Kind.Tell,
      Buffer.concat([Buffer.from(writer.head(-1, 'counter', 'add', undefined)), Buffer.from([0xd9, 50, 1])]), // truncated msgpack
    ); // undecodable argument
    send(Kind.Tell, Buffer.from([0, 0, 0])); // empty target and handler
    send(Kind.Tell, callBody(-1, 'counter', 'nope', 1)); // unknown handler
    send(Kind.Reply, Buffer.concat([Buffer.from([0, 0, 3, 0xe7, ReplyStatus.Ok]), encodeBody('for nobody')])); // reply to an ask nobody waits for
    send(Kind.Watch, encodeBody({ not: 'an array' })); // control frame that is not an array
    send(200, encodeBody([])); // unknown kind
    ask(['counter', 'nope', 1, 2]); // unknown handler, answered
    ask(['ghost', 'get', null, 3]); // unknown actor, answered
    send(Kind.Ask, Buffer.from([0, 0])); // ask too short for an id: dropped
    ask(['counter', 'add', 2, 4]); // and the link still works

    await waitFor(() => replies.length === 4, 2000, 'replies after the bad frames');
    // Answers from the mailbox and from the node itself may interleave: order them by ask id.
    replies.sort((a, b) => a[0] - b[0]);
    expect(replies[1]).toEqual([
      2,
      ReplyStatus.RuntimeError,
      expect.objectContaining({ code: 'UNKNOWN_HANDLER' }),
    ]);
    expect(replies[2]).toEqual([
      3,
      ReplyStatus.RuntimeError,
      expect.objectContaining({ code: 'ACTOR_NOT_FOUND' }),
    ]);
    expect(replies[3]).toEqual([4, ReplyStatus.Ok, 3]);
    expect(node.deadLetters - lettersBefore).toBeGreaterThanOrEqual(8);
    expect(raw.isUp(node.addr)).toBe(true);
    // The actor was never restarted by any of it: its state is intact.
    expect(await node.ref<typeof Counter>(node.addr, 'counter').call.get()).toBe(3);
  });
});
