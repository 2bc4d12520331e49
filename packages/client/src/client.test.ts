// The SDK against the gateway double: requests, pushes, the state machine, heartbeats and resume, over ws and TCP.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connect } from './connect.js';
import {
  ConnectFailedError,
  ConnectionClosedError,
  QueueFullError,
  RemoteError,
  RequestAbortedError,
  RequestTimeoutError,
  ResumeFailedError,
} from './errors.js';
import { GatewayDouble } from './gateway-double.fixture.js';
import type { Client, ClientState, ConnectOptions, StateChange } from './index.js';
import type { Notice } from './messages.js';
import { pack } from './msgpack.js';
import { defineProtocol, type } from './protocol.js';
import { tcp } from './tcp.js';
import { encodeFrames, MsgId } from './wire.js';

const Game = defineProtocol({
  echo: { msgId: 1, rule: 'pass', codec: 'raw', request: type<Uint8Array>(), reply: type<Uint8Array>() },
  login: { msgId: 2, rule: 'pass', request: type<{ uid: string }>(), reply: type<{ uid: string }>() },
  shout: {
    msgId: 4,
    request: type<{ text: string }>(),
    reply: type<void>(),
    push: type<{ from: string; text: string }>(),
  },
  kickme: { msgId: 6, request: type<void>() },
  add: { msgId: 8, rule: 'pass', request: type<{ a: number; b: number }>(), reply: type<{ sum: number }>() },
  fail: { msgId: 10, request: type<void>(), reply: type<never>() },
  hang: { msgId: 11, request: type<void>(), reply: type<never>() },
  held: { msgId: 12, request: type<void>(), reply: type<{ late: boolean }>() },
});

const FAST: ConnectOptions<typeof Game> = {
  protocol: Game,
  WebSocket,
  reconnect: { minDelayMs: 5, maxDelayMs: 20 },
  connectTimeoutMs: 2_000,
};

let double: GatewayDouble;
const clients: Array<Client<typeof Game>> = [];

async function open(options: ConnectOptions<typeof Game> = {}, target?: string | ReturnType<typeof tcp>) {
  const client = await connect<typeof Game>(target ?? double.wsUrl, { ...FAST, ...options });
  clients.push(client);
  return client;
}

/** Resolves on the next `state` event matching `state` (and `match`), failing after `ms`. */
function nextState(client: Client<any>, state: ClientState, ms = 5_000): Promise<StateChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${state} state within ${ms} ms (now ${client.state})`));
    }, ms);
    const off = client.on('state', (change) => {
      if (change.state !== state) return;
      clearTimeout(timer);
      off();
      resolve(change);
    });
  });
}

function until(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error('condition not met in time'));
      else setTimeout(check, 2);
    };
    check();
  });
}

beforeEach(async () => {
  double = await GatewayDouble.start({ heartbeatMs: 1_000 });
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await double.close();
});

describe.each([
  ['WebSocket', () => undefined],
  ['TCP', () => tcp(double.tcpAddress)],
])('client over %s', (_, target) => {
  it('says HELLO, calls typed routes and receives pushes', async () => {
    const client = await open({}, target());
    expect(client.state).toBe('connected');
    expect(client.session).toBe('s1');
    expect(double.hellos).toEqual([{ v: 1 }]);
    await expect(client.call.add({ a: 1, b: 2 })).resolves.toEqual({ sum: 3 });
    const bytes = new Uint8Array([1, 2, 3]);
    expect(Array.from(await client.call.echo(bytes))).toEqual([1, 2, 3]);
    expect(Array.from(await client.request(1, bytes))).toEqual([1, 2, 3]);
    await client.call.login({ uid: 'ann' });
    const got: unknown[] = [];
    client.on.shout((push) => got.push(push));
    const raw: number[] = [];
    client.on(4, (payload) => raw.push(payload.length));
    client.send.shout({ text: 'hi' });
    await until(() => got.length === 1);
    expect(got).toEqual([{ from: 'ann', text: 'hi' }]);
    expect(raw).toHaveLength(1);
  });

  it('resumes after a dropped socket, with the pushes it missed, once and in order', async () => {
    const client = await open({}, target());
    await client.call.login({ uid: 'ann' });
    const got: string[] = [];
    client.on(Game.shout, (push) => got.push(push.text));
    double.broadcast(4, { from: 'x', text: 'a' });
    await until(() => got.length === 1);
    const reconnecting = nextState(client, 'reconnecting');
    const back = nextState(client, 'connected');
    double.dropAll();
    expect((await reconnecting).attempt).toBe(1);
    double.broadcast(4, { from: 'x', text: 'b' });
    double.broadcast(4, { from: 'x', text: 'c' });
    expect(await back).toMatchObject({ state: 'connected', previous: 'reconnecting', resumed: true });
    await until(() => got.length === 3);
    expect(got).toEqual(['a', 'b', 'c']);
    expect(double.hellos[1]).toEqual({ v: 1, resume: 't-s1', received: 2 });
    await expect(client.call.add({ a: 2, b: 2 })).resolves.toEqual({ sum: 4 });
    expect(got).toEqual(['a', 'b', 'c']);
  });
});

describe('requests', () => {
  it('rejects with the gateway code as a named RemoteError', async () => {
    const client = await open();
    const failed = await client.call.fail().catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(RemoteError);
    expect(failed).toMatchObject({ code: 'BACKEND_ERROR', message: 'it failed', data: { why: 'test' } });
    await expect(client.request(99, new Uint8Array(0))).rejects.toMatchObject({
      name: 'RemoteError',
      code: 'BLOCKED',
    });
  });

  it('times out, and aborts through an AbortSignal', async () => {
    const client = await open();
    await expect(client.call.hang(undefined, { timeoutMs: 30 })).rejects.toBeInstanceOf(RequestTimeoutError);
    const controller = new AbortController();
    const pending = client.call.hang(undefined, { signal: controller.signal });
    controller.abort(new Error('user left'));
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestAbortedError);
    expect((err as Error).cause).toEqual(new Error('user left'));
    await expect(client.call.add({ a: 1, b: 1 }, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    await client.call.add({ a: 0, b: 0 });
    // The request aborted before it was sent never left the client: the gateway saw one `add`.
    expect(double.received.filter((id) => id === Game.add.msgId)).toHaveLength(1);
  });

  it('gets the response to a request in flight across a resumed drop', async () => {
    const client = await open();
    const reply = client.call.held();
    await until(() => double.held.length === 1);
    const back = nextState(client, 'connected');
    double.dropAll();
    double.answerHeld({ late: true });
    expect((await back).resumed).toBe(true);
    await expect(reply).resolves.toEqual({ late: true });
  });

  it('fails requests in flight across a refused resume with ResumeFailedError, and says why', async () => {
    const client = await open();
    const notices: Notice[] = [];
    client.on('notice', (n) => notices.push(n));
    const reply = client.call.held();
    await until(() => double.held.length === 1);
    const back = nextState(client, 'connected');
    double.forgetSessions();
    double.dropAll();
    const change = await back;
    expect(change).toMatchObject({ resumed: false, reason: 'unknown or expired session' });
    await expect(reply).rejects.toBeInstanceOf(ResumeFailedError);
    expect(notices.map((n) => n.code)).toEqual(['RESUME_FAILED']);
    expect(client.session).toBe('s2');
    expect(client.received).toBe(0);
    await expect(client.call.login({ uid: 'ann' })).resolves.toEqual({ uid: 'ann' });
  });

  it('queues frames while reconnecting and sends them after the resume', async () => {
    const client = await open({ reconnect: { minDelayMs: 50, maxDelayMs: 50 } });
    await client.call.login({ uid: 'ann' });
    const got: string[] = [];
    client.on.shout((p) => got.push(p.text));
    const reconnecting = nextState(client, 'reconnecting');
    double.dropAll();
    await reconnecting;
    client.send.shout({ text: 'queued' });
    const sum = client.call.add({ a: 5, b: 6 });
    await expect(sum).resolves.toEqual({ sum: 11 });
    await until(() => got.length === 1);
    expect(got).toEqual(['queued']);
  });

  it('bounds the frames waiting for a reconnect', async () => {
    const client = await open({ maxQueuedFrames: 2, reconnect: { minDelayMs: 1_000, maxDelayMs: 1_000 } });
    const reconnecting = nextState(client, 'reconnecting');
    double.dropAll();
    await reconnecting;
    client.send(1, new Uint8Array(1));
    client.send(1, new Uint8Array(1));
    expect(() => client.send(1, new Uint8Array(1))).toThrow(QueueFullError);
    await expect(client.call.add({ a: 1, b: 1 })).rejects.toBeInstanceOf(QueueFullError);
  });
});

describe('state machine', () => {
  it('closes for good on a terminal notice, failing what is in flight', async () => {
    const client = await open();
    const notices: string[] = [];
    client.on('notice', (n) => notices.push(n.code));
    const pending = client.call.hang();
    const closed = nextState(client, 'closed');
    client.send.kickme();
    expect(await closed).toMatchObject({ previous: 'connected', reason: 'KICKED: bye' });
    expect(notices).toEqual(['KICKED']);
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(() => client.send.kickme()).toThrow(ConnectionClosedError);
    await until(() => double.connections === 0);
  });

  it('reconnects and resumes after a GOING_AWAY notice (not terminal)', async () => {
    const client = await open();
    const notices: string[] = [];
    client.on('notice', (n) => notices.push(n.code));
    const back = nextState(client, 'connected');
    double.notice({ code: 'GOING_AWAY', message: 'restarting' }, true);
    expect((await back).resumed).toBe(true);
    expect(notices).toEqual(['GOING_AWAY']);
  });

  it('sends heartbeats and drops a link whose server went silent', async () => {
    const client = await open({
      heartbeatMs: 20,
      maxServerDelayMs: 60,
      reconnect: { minDelayMs: 500, maxDelayMs: 500 },
    });
    await until(() => double.received.filter((id) => id === MsgId.Heartbeat).length >= 2);
    double.silent = true;
    const change = await nextState(client, 'reconnecting');
    expect(change.reason).toMatch(/^server silent for \d+ ms$/);
  });

  it('gives up after maxAttempts and closes', async () => {
    const client = await open({ reconnect: { maxAttempts: 2, minDelayMs: 5, maxDelayMs: 10 } });
    const changes: StateChange[] = [];
    client.on('state', (c) => changes.push(c));
    const closed = nextState(client, 'closed');
    await double.close();
    expect((await closed).reason).toMatch(/^gave up after 2 reconnect attempts/);
    expect(changes.map((c) => [c.state, c.attempt])).toEqual([
      ['reconnecting', 1],
      ['reconnecting', 2],
      ['closed', undefined],
    ]);
  });

  it('rejects connect with ConnectFailedError when nothing listens, and with the notice code for a bad ticket', async () => {
    const port = Number(double.tcpAddress.split(':')[1]);
    await double.close();
    await expect(connect(tcp(`127.0.0.1:${port}`), FAST)).rejects.toBeInstanceOf(ConnectFailedError);
    double = await GatewayDouble.start();
    await expect(connect(double.wsUrl, { ...FAST, ticket: 'forged' })).rejects.toMatchObject({
      name: 'RemoteError',
      code: 'TICKET_INVALID',
    });
    const client = await open({ ticket: 'ticket:bob' });
    expect(client.uid).toBe('bob');
  });

  it('loads ws on demand when no WebSocket class is given and none is global (Node 20)', async () => {
    const { WebSocket: _, ...withoutClass } = FAST;
    const client = await connect<typeof Game>(double.wsUrl, withoutClass);
    clients.push(client);
    await expect(client.call.add({ a: 2, b: 3 })).resolves.toEqual({ sum: 5 });
  });

  it('closes on bytes that break the wire protocol (a resume would replay them)', async () => {
    const client = await open();
    const pending = client.call.hang();
    const closed = nextState(client, 'closed');
    double.writeRaw(new Uint8Array([0x80, 0, 0, 0, 0, 0, 0, 0]));
    expect((await closed).reason).toBe('PROTOCOL_ERROR: refused msgId 0x80000000');
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    await until(() => double.connections === 0); // the client hung up
    const small = await open({ maxPayload: 100 }); // room for WELCOME (about 70 bytes)
    const tooLarge = nextState(small, 'closed');
    double.broadcastBytes(4, new Uint8Array(101));
    expect((await tooLarge).reason).toBe('FRAME_TOO_LARGE: frame of 101 bytes exceeds 100');
  });

  it('rejects connect when the transport cannot even start', async () => {
    const factory = () => {
      throw new SyntaxError('bad URL');
    };
    await expect(connect(factory, FAST)).rejects.toMatchObject({
      name: 'ConnectFailedError',
      message: 'could not connect: cannot open the connection: bad URL',
    });
  });

  it('close() fails requests in flight and stops reconnecting', async () => {
    const client = await open();
    const pending = client.call.hang();
    const closed = nextState(client, 'closed');
    client.close('bye now');
    expect(await closed).toMatchObject({ previous: 'connected', reason: 'bye now' });
    await expect(pending).rejects.toMatchObject({ name: 'ConnectionClosedError', code: 'CLOSED' });
    await expect(client.call.add({ a: 1, b: 2 })).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('speaks the plain protocol without HELLO; a reconnect is a new session', async () => {
    const client = await open({ hello: false });
    expect(client.session).toBeUndefined();
    await expect(client.call.add({ a: 1, b: 2 })).resolves.toEqual({ sum: 3 });
    expect(double.hellos).toEqual([]);
    const reply = client.call.held();
    await until(() => double.held.length === 1);
    const back = nextState(client, 'connected');
    double.dropAll();
    expect(await back).toMatchObject({ resumed: false, reason: 'the client does not send HELLO' });
    await expect(reply).rejects.toBeInstanceOf(ResumeFailedError);
  });

  it('delivers nothing more once a listener closes the client mid-chunk', async () => {
    const client = await open();
    await client.call.login({ uid: 'ann' });
    const got: string[] = [];
    client.on.shout((p) => {
      got.push(p.text);
      client.close('enough');
    });
    // Both pushes in one WebSocket message: one chunk for the client.
    double.writeRaw(
      encodeFrames([
        [4, pack({ from: 'x', text: 'first' })],
        [4, pack({ from: 'x', text: 'second' })],
      ]),
    );
    const states: StateChange[] = [];
    client.on('state', (s) => states.push(s));
    await until(() => client.state === 'closed');
    await until(() => double.connections === 0);
    expect(got).toEqual(['first']);
    expect(states.map((s) => [s.state, s.reason])).toEqual([['closed', 'enough']]);
  });

  it('reports listener exceptions and undecodable pushes as error events', async () => {
    const client = await open();
    await client.call.login({ uid: 'ann' });
    const errors: unknown[] = [];
    client.on('error', (e) => errors.push(e));
    client.on.shout(() => {
      throw new Error('listener bug');
    });
    double.broadcast(4, { from: 'x', text: 'y' });
    await until(() => errors.length === 1);
    expect(errors[0]).toEqual(new Error('listener bug'));
    double.broadcastBytes(4, new Uint8Array([0xc1]));
    await until(() => errors.length === 2);
    expect(errors[1]).toMatchObject({ name: 'MalformedMsgpackError' });
    await expect(client.call.add({ a: 1, b: 1 })).resolves.toEqual({ sum: 2 });
  });
});
