// Gateway session lifecycle over real sockets: resume, idle timeout, slow clients, graceful stop,
// sessionClosed to bound backends (also when the gateway process is killed), tickets.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { unpack } from '@troupe/client/wire';
import { gatewayBackend, issueTicket } from '@troupe/gateway';
import { Addr, Node, staticMembership } from '@troupe/runtime';
import { freePort, waitFor } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type Frame, RawClient, type Via } from './fixtures/gateway-client.js';
import { type GatewayCluster, startGatewayCluster, TestService } from './fixtures/gateway-cluster.js';

let cluster: GatewayCluster | undefined;
const clients: RawClient[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const fn of cleanups.splice(0).reverse()) await fn();
  await cluster?.close();
  cluster = undefined;
});

async function client(address: string): Promise<RawClient> {
  const c = await RawClient.connect(address);
  clients.push(c);
  return c;
}

const body = (f: Frame) => unpack(f.payload) as Record<string, unknown>;
const floodSeq = (frames: Frame[]) => frames.filter((f) => f.msgId === 13).map((f) => body(f).i as number);
const tellTexts = (frames: Frame[]) => frames.filter((f) => f.msgId === 5).map((f) => body(f).text);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each<Via>(['tcp', 'ws'])('resume over %s', (via) => {
  const addr = () => (via === 'tcp' ? cluster!.tcp() : cluster!.ws());

  it('gives a dropped session back with exactly the frames it missed, in order', async () => {
    cluster = await startGatewayCluster();
    const a = await client(addr());
    a.hello();
    const welcome = await a.welcome();
    expect(welcome).toMatchObject({ resumed: false, heartbeatMs: 10_000, idleMs: 30_000, maxFrame: 65536 });
    await a.call(2, { uid: 'ada' });
    const bob = await client(addr());
    await bob.call(2, { uid: 'bob' });
    // 300 pushes; the socket drops after the first 20 arrived, the rest go on without it.
    a.request(13, { count: 300, size: 200 });
    await a.next((f) => f.msgId === 13 && body(f).i === 20);
    a.close();
    const received = a.numbered().length;
    await waitFor(() => cluster!.gateways[0]!.stats().detached === 1, 5000, 'the session to detach');
    for (let i = 0; i < 50; i++) bob.send(5, { to: 'ada', text: `t${i}` });
    await waitFor(() => cluster!.gateways[0]!.stats().routes.tell?.framesOut === 50, 5000, 'the tells');
    await waitFor(
      () => (cluster!.gateways[0]!.stats().routes.flood?.framesOut ?? 0) === 301,
      5000,
      'the flood',
    );

    const b = await client(addr());
    b.hello({ resume: welcome.token as string, received });
    expect(await b.welcome()).toMatchObject({ resumed: true, session: welcome.session, uid: 'ada' });
    const total = 1 + 300 + 1 + 50; // login response, pushes, flood response, tells
    await waitFor(() => received + b.numbered().length >= total, 5000, 'the replay');
    const frames = [...a.numbered(), ...b.numbered()];
    expect(frames).toHaveLength(total);
    expect(floodSeq(frames)).toEqual(range(1, 300));
    expect(tellTexts(frames)).toEqual(range(0, 49).map((i) => `t${i}`));
    expect(received).toBeLessThan(total);
    // The session goes on where it was: same uid, numbering continued.
    expect(await b.call(3, {})).toMatchObject({ body: { uid: 'ada' } });
    expect(cluster.gateways[0]!.stats().sessionsResumed).toBe(1);
  });

  it('fails explicitly when the missed frames are past the bound, and opens a new session', async () => {
    cluster = await startGatewayCluster({ gateway: { resume: { maxFrames: 10 } } });
    const a = await client(addr());
    a.hello();
    const welcome = await a.welcome();
    await a.call(2, { uid: 'ada' });
    const bob = await client(addr());
    await bob.call(2, { uid: 'bob' });
    a.close();
    await waitFor(() => cluster!.gateways[0]!.stats().detached === 1, 5000, 'the session to detach');
    for (let i = 0; i < 20; i++) bob.send(5, { to: 'ada', text: `t${i}` });
    await waitFor(() => cluster!.gateways[0]!.stats().routes.tell?.framesOut === 20, 5000, 'the tells');
    const b = await client(addr());
    b.hello({ resume: welcome.token as string, received: 1 });
    expect((await b.notice('RESUME_FAILED')).message).toMatch(/no longer held/);
    const w = await b.welcome();
    expect(w).toMatchObject({ resumed: false, reason: expect.stringMatching(/no longer held/) });
    expect(w.session).not.toBe(welcome.session);
    expect(await b.call(3, {})).toMatchObject({ status: 1, body: { code: 'UNAUTHORIZED' } });
    // The old session is gone: its uid is free again.
    expect(await bob.call(5, { to: 'ada', text: 'x' })).toMatchObject({ body: { error: 'offline' } });
  });

  it('fails explicitly after the resume window, and for an unknown token', async () => {
    cluster = await startGatewayCluster({ gateway: { resume: { windowMs: 200 } } });
    const a = await client(addr());
    a.hello();
    const welcome = await a.welcome();
    a.close();
    await waitFor(() => cluster!.gateways[0]!.stats().sessions === 0, 5000, 'the window to pass');
    const b = await client(addr());
    b.hello({ resume: welcome.token as string, received: 0 });
    expect((await b.notice('RESUME_FAILED')).message).toMatch(/unknown or expired/);
    expect(await b.welcome()).toMatchObject({ resumed: false });
    const c = await client(addr());
    c.hello({ resume: 'forged.token', received: 0 });
    await c.notice('RESUME_FAILED');
  });
});

describe.each<Via>(['tcp', 'ws'])('lifecycle over %s', (via) => {
  const addr = (i = 0) => (via === 'tcp' ? cluster!.tcp(i) : cluster!.ws(i));

  it('closes a silent session with IDLE_TIMEOUT and keeps one that sends heartbeats', async () => {
    cluster = await startGatewayCluster({ gateway: { idleMs: 1000, heartbeatMs: 200 } });
    const silent = await client(addr());
    const alive = await client(addr());
    silent.send(8, { a: 1, b: 1 });
    alive.send(8, { a: 1, b: 1 });
    const beat = setInterval(() => alive.raw(new Uint8Array(8)), 50);
    cleanups.push(() => clearInterval(beat));
    await silent.notice('IDLE_TIMEOUT', 5000);
    await silent.closedByServer();
    expect(alive.closed).toBe(false);
    expect(await alive.call(8, { a: 2, b: 2 })).toMatchObject({ body: { sum: 4 } });
  });

  it('sends GOING_AWAY to every client when the gateway stops gracefully', async () => {
    cluster = await startGatewayCluster();
    const a = await client(addr());
    const b = await client(addr());
    a.hello();
    await a.welcome();
    b.send(8, { a: 1, b: 1 });
    await b.next((f) => f.msgId === 8);
    await cluster.gatewayNodes[0]!.stop();
    await a.notice('GOING_AWAY');
    await b.notice('GOING_AWAY');
    await a.closedByServer();
    await b.closedByServer();
  });

  it('tells the bound backend sessionClosed with the reason', async () => {
    cluster = await startGatewayCluster();
    const a = await client(addr());
    await a.call(2, { uid: 'ada' });
    expect(await a.call(9, {})).toMatchObject({ status: 0 });
    expect(await a.call(16, {})).toMatchObject({ body: { uid: 'ada' } });
    a.send(6, {});
    await a.closedByServer();
    const probe = await client(addr());
    await waitFor(
      async () => ((await probe.call(15, {})).body as unknown[]).length === 1,
      5000,
      'sessionClosed',
    );
    const [closed] = (await probe.call(15, {})).body as Array<{ uid: string; reason: string }>;
    expect(closed).toMatchObject({ uid: 'ada', reason: 'kicked: bye' });
  });

  it('disconnects a client that does not read, with SLOW_CLIENT, without slowing the others', async () => {
    cluster = await startGatewayCluster({ gateway: { maxOutboundBytes: 64 * 1024 } });
    const slow = await client(addr());
    const fast = await client(addr());
    await slow.call(2, { uid: 'slow' });
    slow.pause();
    slow.request(13, { count: 4000, size: 4096 });
    expect(await fast.call(8, { a: 1, b: 2 })).toMatchObject({ body: { sum: 3 } });
    await waitFor(() => cluster!.gateways[0]!.stats().refusals.SLOW_CLIENT === 1, 10_000, 'SLOW_CLIENT');
    expect(await fast.call(8, { a: 2, b: 2 })).toMatchObject({ body: { sum: 4 } });
    expect(cluster.gateways[0]!.stats().sessions).toBe(1);
  });
});

describe('tickets on HELLO', () => {
  const secret = 'a-ticket-secret-for-tests';

  it('authenticates by ticket without a backend, and refuses reused, expired, forged and other-gateway tickets', async () => {
    cluster = await startGatewayCluster({ gateways: 2, gateway: { ticketSecret: secret } });
    const ticket = issueTicket(secret, { uid: 'tia', gateway: '1.1.1' });
    const a = await client(cluster.tcp(0));
    a.hello({ ticket });
    expect(await a.welcome()).toMatchObject({ uid: 'tia', resumed: false });
    expect(await a.call(3, {})).toMatchObject({ body: { uid: 'tia', gateway: '1.1.1' } });
    const cases: Array<[string, string]> = [
      [ticket, 'TICKET_REUSED'],
      [issueTicket(secret, { uid: 'tia', gateway: '1.1.1', ttlMs: -1 }), 'TICKET_EXPIRED'],
      [issueTicket('not-the-right-secret!', { uid: 'tia', gateway: '1.1.1' }), 'TICKET_INVALID'],
      [issueTicket(secret, { uid: 'tia', gateway: '1.1.2' }), 'TICKET_WRONG_GATEWAY'],
    ];
    for (const [t, code] of cases) {
      const c = await client(cluster.ws(0));
      c.hello({ ticket: t });
      await c.notice(code);
      await c.closedByServer();
    }
    expect(a.closed).toBe(false);
  });
});

describe('gateway process killed', () => {
  it('bound backends hear sessionClosed through membership when the gateway dies', async () => {
    const members = [
      { addr: '1.1.1', host: '127.0.0.1', port: await freePort() },
      { addr: '1.2.1', host: '127.0.0.1', port: await freePort() },
    ];
    const secret = 'gateway-kill-secret';
    const script = fileURLToPath(new URL('./fixtures/gateway-process.ts', import.meta.url));
    const proc = fork(script, [JSON.stringify({ addr: '1.1.1', port: members[0]!.port, secret, members })], {
      execArgv: ['--import', 'tsx', '--conditions=@troupe/source'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    cleanups.push(async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await exited;
      }
    });
    const ready = await new Promise<{ tcp: string }>((resolve, reject) => {
      proc.once('message', (m) => resolve(m as { tcp: string }));
      proc.once('exit', (code) => reject(new Error(`gateway process exited with ${code}`)));
    });
    const backend = gatewayBackend();
    const node = await Node.start({
      addr: '1.2.1',
      secret,
      listen: { host: '127.0.0.1', port: members[1]!.port },
      membership: staticMembership(members),
      extensions: [backend],
    });
    cleanups.push(() => node.stop());
    const service = node.spawn(TestService, { name: 'service', args: { backend } });
    await waitFor(() => node.members().some((m) => m.addr === Addr.parse('1.1.1')), 10_000, 'the gateway');
    const a = await client(ready.tcp);
    await a.call(2, { uid: 'ada' });
    expect(await a.call(9, {})).toMatchObject({ status: 0 });
    proc.kill('SIGKILL');
    await waitFor(
      async () => ((await service.call.closed()) as unknown[]).length === 1,
      10_000,
      'sessionClosed',
    );
    const [closed] = (await service.call.closed()) as Array<{ uid: string; reason: string }>;
    expect(closed).toMatchObject({ uid: 'ada', reason: expect.stringMatching(/^gateway-down/) });
  }, 20_000);
});
