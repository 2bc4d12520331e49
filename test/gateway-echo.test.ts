// `pnpm example gateway-echo` as a user runs it, driven by raw TCP and WebSocket clients written from
// docs/client-protocol.md: every route of the example's table, then a clean exit on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { unpack } from '@troupe/client/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from './fixtures/gateway-client.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = fileURLToPath(new URL('../packages/examples/src/gateway-echo.ts', import.meta.url));

let child: ChildProcess | undefined;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  const c = child;
  child = undefined;
  if (c !== undefined && c.exitCode === null && c.signalCode === null) {
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await exited;
  }
});

interface Started {
  gateways: Array<{ addr: string; ws: string; tcp: string }>;
  firstLine: string;
}

function start(): Promise<Started> {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=@troupe/source', script], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no first line within 15 s: ${out}${err}`)), 15_000);
    proc.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const firstLine = out.slice(0, nl);
      resolve({ ...JSON.parse(firstLine), firstLine });
    });
    proc.once('exit', (code) => reject(new Error(`exited with ${code} before its first line: ${err}`)));
  });
}

async function connect(address: string): Promise<RawClient> {
  const c = await RawClient.connect(address);
  clients.push(c);
  return c;
}

describe('pnpm example gateway-echo', () => {
  it('serves the table of routes to raw TCP and WebSocket clients, and exits 0 on SIGTERM', async () => {
    const started = await start();
    expect(started.firstLine).toMatch(
      /^\{"gateways":\[\{"addr":"1\.1\.1","ws":"ws:\/\/127\.0\.0\.1:\d+","tcp":"127\.0\.0\.1:\d+"\},\{"addr":"1\.1\.2","ws":"ws:\/\/127\.0\.0\.1:\d+","tcp":"127\.0\.0\.1:\d+"\}\]\}$/,
    );
    const [g1, g2] = started.gateways;
    const ada = await connect(g1!.tcp);
    const bob = await connect(g2!.ws);

    // 1 echo (raw, pass): the bytes come back unchanged, as a plain frame and as a request.
    ada.raw(Buffer.from('0000000100000002' + Buffer.from('hi').toString('hex'), 'hex'));
    const echoed = await ada.next((f) => f.msgId === 1);
    expect(Buffer.from(echoed.payload).toString()).toBe('hi');
    // 8 add (pass).
    expect(await bob.call(8, { a: 20, b: 22 })).toEqual({ status: 0, body: { sum: 42 } });
    // 3 whoami (auth) before login: refused.
    expect(await ada.call(3, {})).toMatchObject({ status: 1, body: { code: 'UNAUTHORIZED' } });
    // 2 login, then 3 whoami names the gateway.
    expect(await ada.call(2, { uid: 'ada' })).toEqual({ status: 0, body: { uid: 'ada' } });
    expect(await bob.call(2, { uid: 'bob' })).toEqual({ status: 0, body: { uid: 'bob' } });
    expect(await ada.call(3, {})).toEqual({ status: 0, body: { uid: 'ada', gateway: '1.1.1' } });
    expect(await bob.call(3, {})).toEqual({ status: 0, body: { uid: 'bob', gateway: '1.1.2' } });
    // 4 shout reaches every session on every gateway, the shouter included.
    ada.send(4, { text: 'hello all' });
    for (const c of [ada, bob]) {
      const f = await c.next((f) => f.msgId === 4);
      expect(unpack(f.payload)).toEqual({ from: 'ada', text: 'hello all' });
    }
    // 5 tell crosses gateways; an offline uid is answered {error: "offline"}.
    await bob.call(5, { to: 'ada', text: 'psst' });
    const told = await ada.next((f) => f.msgId === 5);
    expect(unpack(told.payload)).toEqual({ from: 'bob', text: 'psst' });
    expect(await bob.call(5, { to: 'zed', text: '?' })).toEqual({ status: 0, body: { error: 'offline' } });
    // Any other msgId is blocked.
    expect(await bob.call(7, {})).toMatchObject({ status: 1, body: { code: 'BLOCKED' } });
    bob.send(100, {});
    await bob.notice('BLOCKED');
    // 6 kickme: KICKED "bye", then the connection closes.
    ada.send(6, {});
    expect(await ada.notice('KICKED')).toMatchObject({ message: 'bye' });
    await ada.closedByServer();

    const proc = child!;
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    await bob.notice('GOING_AWAY');
    expect(await exited).toBe(0);
  }, 30_000);
});
