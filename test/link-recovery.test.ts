// Link recovery seen from the runtime: a restarted node is reachable at memberUp, a refused handshake is named at once.
import { Addr, centerMembership, Node, RegistrationError } from '@troupe/runtime';
import { coreOf } from '@troupe/runtime/internal';
import { createTestCluster, type TestCluster, waitForEvent } from '@troupe/runtime/testing';
import { HandshakeError, handshakeRefusal, TcpTransport } from '@troupe/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { Counter } from './actors.js';

let cluster: TestCluster | undefined;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await cluster?.close();
  cluster = undefined;
});

describe('link recovery', () => {
  it('a restarted node answers asks sent right after memberUp, though the reconnect backoff had grown', async () => {
    cluster = await createTestCluster({
      membership: 'center',
      nodes: ['1.1.1', '1.2.1', '1.3.1'],
      // Long backoffs: without a reset at memberUp the next dial would wait over a second.
      nodeOptions: { link: { reconnectBaseMs: 300, reconnectMaxMs: 4000 } },
    });
    const watcher = cluster.node('1.3.1');
    const target = Addr.parse('1.2.1');
    const gone = waitForEvent(watcher, 'memberDown', 5000, (m: { addr: number }) => m.addr === target);
    await cluster.kill('1.2.1');
    await gone;
    // Three failed dials: the next one waits 1.2 s or more (300 ms doubling), unless the backoff is reset.
    const links = coreOf(watcher).transport;
    for (let i = 0; i < 3; i++) {
      const failed = waitForEvent(
        links,
        'down',
        5000,
        (peer: number, _r: string, info: { wasUp: boolean }) => peer === target && !info.wasUp,
      );
      links.send(target, 16, 1, 0, watcher.addr, Buffer.from('knock'));
      await failed;
    }
    const back = waitForEvent(watcher, 'memberUp', 5000, (m: { addr: number }) => m.addr === target);
    const restarted = await cluster.restart('1.2.1');
    restarted.spawn(Counter, { name: 'counter', args: { start: 40 } });
    await back;
    const answer = await watcher.ref<typeof Counter>(target, 'counter').call.add(2, { timeoutMs: 700 });
    expect(answer).toBe(42);
  });

  it('a wrong secret makes Node.start with the center reject at once, naming BAD_SECRET', async () => {
    cluster = await createTestCluster({ membership: 'center', nodes: ['1.1.1'] });
    const started = Date.now();
    const attempt = Node.start({
      addr: '1.2.1',
      secret: 'not-the-cluster-secret',
      membership: centerMembership({ center: { addr: '1.1.1', port: cluster.port('1.1.1') } }),
    });
    const err = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RegistrationError);
    expect((err as Error).message).toMatch(/BAD_SECRET/);
    expect(handshakeRefusal(err)).toBe('BAD_SECRET');
    // Named at once, not after the 10 s start timeout ran out.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a wrong cluster id is named too (CLUSTER)', async () => {
    cluster = await createTestCluster({ membership: 'center', nodes: ['1.1.1'] });
    const err = await Node.start({
      addr: '1.2.1',
      secret: 'test-cluster-secret',
      clusterId: 'another-cluster',
      membership: centerMembership({ center: { addr: '1.1.1', port: cluster.port('1.1.1') } }),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RegistrationError);
    expect(handshakeRefusal(err)).toBe('CLUSTER');
  });

  it('frames pending for a peer that refused the handshake fail with a HandshakeError carrying the code', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1'] });
    const node = cluster.node('1.1.1');
    const stranger = await TcpTransport.start({
      addr: Addr.parse('1.2.1'),
      clusterId: 'troupe',
      secret: 'wrong',
      incarnation: 'stranger',
      resolve: () => ({ host: '127.0.0.1', port: node.port }),
    });
    cleanups.push(() => stranger.close());
    const down = waitForEvent(stranger, 'down', 3000);
    stranger.send(node.addr, 16, 1, 0, stranger.addr, Buffer.from('x'));
    const [, reason, info] = (await down) as [Addr, string, { error?: HandshakeError; dropped: number }];
    expect(reason).toMatch(/BAD_SECRET/);
    expect(info.dropped).toBe(1);
    expect(info.error).toBeInstanceOf(HandshakeError);
    expect(info.error?.rejectCode).toBe('BAD_SECRET');
  });
});
