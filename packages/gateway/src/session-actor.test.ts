// Session actors are spawned by the first message for them and stopped with their session.
import { connect, type Socket } from 'node:net';
import { encodeFrame, FrameReader, MsgId, pack, unpack } from '@troupe/client/wire';
import { Node, staticMembership } from '@troupe/runtime';
import { freePort, waitFor } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { gateway } from './gateway.js';
import { sessionActorName } from './session-ref.js';

const opened: Array<{ stop(): Promise<void> } | Socket> = [];

afterEach(async () => {
  for (const o of opened.splice(0).reverse()) {
    if ('destroy' in o) o.destroy();
    else await o.stop();
  }
});

/** Connects over TCP, says HELLO and resolves with the session id from WELCOME. */
function hello(address: string): Promise<string> {
  const [host, port] = address.split(':');
  const socket = connect({ host: host!, port: Number(port) });
  opened.push(socket);
  const reader = new FrameReader(1 << 20);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no WELCOME within 5 s')), 5000);
    socket.on('error', reject);
    socket.on('data', (chunk) =>
      reader.push(chunk, (msgId, payload) => {
        if (msgId !== MsgId.Welcome) return;
        clearTimeout(timer);
        resolve((unpack(payload) as { session: string }).session);
      }),
    );
    socket.once('connect', () => socket.write(encodeFrame(MsgId.Hello, pack({ v: 1 }))));
  });
}

describe('session actors', () => {
  it('are spawned by the first message for the session and stopped when it ends', async () => {
    const ext = gateway({ ws: false, kvRoutes: false });
    const port = await freePort();
    const node = await Node.start({
      addr: '1.1.1',
      secret: 'session-actor-test',
      listen: { host: '127.0.0.1', port },
      membership: staticMembership([{ addr: '1.1.1', host: '127.0.0.1', port }]),
      extensions: [ext],
    });
    opened.push(node);
    const systemActors = () => node.stats().actors.system;
    const before = systemActors();
    const id = await hello(ext.addresses().tcp!);
    expect(systemActors()).toBe(before);

    const actor = node.ref({ node: node.addr, name: sessionActorName(id) });
    expect(await actor.ask('info', undefined)).toMatchObject({ session: { id }, state: 'live' });
    expect(systemActors()).toBe(before + 1);

    actor.tell('kick', 'bye');
    await waitFor(() => systemActors() === before, 5000, 'the session actor stopped');
    await expect(actor.ask('info', undefined, { timeoutMs: 1000 })).rejects.toMatchObject({
      code: 'ACTOR_NOT_FOUND',
    });
  });
});
