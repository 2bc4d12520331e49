// `pnpm example im` as its README says: login tickets, chat across two gateways, rooms, offline
// messages, driven by Node clients over WebSocket and TCP, and by two Chromium pages.
import { fileURLToPath } from 'node:url';
import type { ClientEndpoints } from '@troupe/cli';
import { type Client, connect } from '@troupe/client';
import { tcp } from '@troupe/client/tcp';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cmd, ImProtocol, type Message } from '../packages/examples/src/im/protocol.js';
import { killAll, type Spawned, spawnTs } from './spawned.js';

const entry = fileURLToPath(new URL('../packages/examples/src/im.ts', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

type Endpoints = ClientEndpoints & { web: string };
type Im = Client<typeof ImProtocol>;

let im: Spawned;
let endpoints: Endpoints;
const clients: Im[] = [];

beforeAll(async () => {
  im = spawnTs(entry, []);
  endpoints = JSON.parse(await im.line(/^\{/, 30_000)) as Endpoints;
}, 40_000);
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  const code = await im.stop('SIGTERM');
  await killAll();
  expect(code).toBe(0);
});

async function login(userid: number, password = 'im-demo') {
  const res = await fetch(new URL('/login', endpoints.web), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userid, password }),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      uid: string;
      gateway: string;
      ws: string;
      tcp: string;
      ticket: string;
      code?: string;
    },
  };
}

/**
 * Logs in until the login service picks a gateway other than `avoid` (10 s at most). Each ticket it
 * issues and nobody uses stays pending, counting toward its gateway's load until it expires, so the
 * avoided gateway's estimate rises by one per login, whatever the sessions and event-loop lag the
 * gateways report (on a busy machine one gateway's lag alone can outweigh a few logins).
 */
async function loginAvoiding(userid: number, avoid: string) {
  const deadline = performance.now() + 10_000;
  let { body } = await login(userid);
  while (body.gateway === avoid && performance.now() < deadline) ({ body } = await login(userid));
  return body;
}

/**
 * Logs in and connects with the ticket, over WebSocket or TCP; pushes are collected. With `avoid`, on a
 * gateway other than that one (`loginAvoiding`).
 */
async function user(userid: number, via: 'ws' | 'tcp' = 'ws', avoid?: string) {
  const body = avoid === undefined ? (await login(userid)).body : await loginAvoiding(userid, avoid);
  if (avoid !== undefined) expect(body.gateway).not.toBe(avoid);
  const client = await connect(via === 'ws' ? body.ws : tcp(body.tcp), {
    protocol: ImProtocol,
    ticket: body.ticket,
  });
  clients.push(client);
  const got: Message[] = [];
  client.on(ImProtocol.single, (m) => got.push(m));
  client.on(ImProtocol.room, (m) => got.push(m));
  return { client, got, gateway: body.gateway };
}

async function until<T>(read: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('example im', () => {
  it('prints the gateways, the login URL and the page first; refuses bad credentials and unauthenticated sessions', async () => {
    expect(endpoints.gateways.map((g) => g.addr)).toEqual(['1.1.1', '1.1.2']);
    expect(endpoints.login).toHaveLength(1);
    expect(endpoints.web).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await login(7, 'wrong')).status).toBe(401);
    const anonymous = await connect(endpoints.gateways[0]!.ws!, { protocol: ImProtocol });
    clients.push(anonymous);
    await expect(anonymous.call.sync({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('single chat across two gateways, in the article message model', async () => {
    const a = await user(101, 'ws');
    const b = await user(102, 'tcp', a.gateway); // on the other gateway
    const r = await a.client.call.single({ cmd: Cmd.Single, dstid: 102, media: 1, content: 'hello B' });
    expect(r.delivered).toBe(true);
    const m = await until(() => b.got[0], 'the message at B');
    expect(m).toEqual({ id: r.id, userid: 101, cmd: 10, dstid: 102, media: 1, content: 'hello B' });
  });

  it('keeps messages for an offline user and delivers them once at the next login', async () => {
    const a = await user(201);
    const sent = await a.client.call.single({
      cmd: Cmd.Single,
      dstid: 202,
      media: 1,
      content: 'while you were out',
    });
    expect(sent.delivered).toBe(false);
    await a.client.call.single({ cmd: Cmd.Single, dstid: 202, media: 6, content: 'cry' });
    const b = await user(202);
    const synced = await b.client.call.sync({});
    expect(synced.messages.map((m) => [m.userid, m.media, m.content])).toEqual([
      [201, 1, 'while you were out'],
      [201, 6, 'cry'],
    ]);
    expect((await b.client.call.sync({})).messages).toEqual([]); // once
  });

  it('rooms: members on both gateways get each room message once; history on join; leave stops them', async () => {
    const a = await user(301, 'ws');
    const b = await user(302, 'tcp', a.gateway);
    const c = await user(303, 'ws');
    await a.client.call.join({ dstid: 9 });
    await b.client.call.join({ dstid: 9 });
    const r = await a.client.call.room({ cmd: Cmd.Room, dstid: 9, media: 1, content: 'hi room' });
    for (const u of [a, b])
      expect(await until(() => u.got.find((m) => m.id === r.id), 'the room message')).toMatchObject({
        userid: 301,
        cmd: 11,
        dstid: 9,
      });
    const joined = await c.client.call.join({ dstid: 9 });
    expect(joined.history.map((m) => m.content)).toContain('hi room');
    await b.client.call.leave({ dstid: 9 });
    const r2 = await c.client.call.room({ cmd: Cmd.Room, dstid: 9, media: 1, content: 'second' });
    await until(() => a.got.find((m) => m.id === r2.id), 'the second room message at A');
    expect(b.got.filter((m) => m.cmd === 11).map((m) => m.content)).toEqual(['hi room']);
    expect(a.got.filter((m) => m.id === r.id)).toHaveLength(1);
  });

  it('two Chromium pages chat across two gateways', async () => {
    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const pages = await Promise.all([browser.newPage(), browser.newPage()]);
      for (const p of pages) await p.goto(endpoints.web);
      const api = 'window.im';
      const g1 = (await pages[0]!.evaluate(`${api}.login(401)`)) as { gateway: string };
      let g2 = (await pages[1]!.evaluate(`${api}.login(402)`)) as { gateway: string };
      // Unused tickets raise the first gateway's load estimate until the second page lands elsewhere.
      const deadline = performance.now() + 10_000;
      while (g2.gateway === g1.gateway && performance.now() < deadline) {
        await pages[1]!.evaluate(`${api}.logout()`);
        await loginAvoiding(402, g1.gateway);
        g2 = (await pages[1]!.evaluate(`${api}.login(402)`)) as { gateway: string };
      }
      expect(g1.gateway).not.toBe(g2.gateway);
      await pages[0]!.evaluate(`${api}.sendTo(402, 'hi from page one')`);
      await pages[1]!.waitForFunction(
        `${api}.state.messages.some((m) => m.content === 'hi from page one' && m.userid === 401)`,
        undefined,
        { timeout: 5000 },
      );
      await pages[1]!.evaluate(`${api}.sendTo(401, 'and back')`);
      await pages[0]!.waitForFunction(
        `${api}.state.messages.some((m) => m.content === 'and back')`,
        undefined,
        { timeout: 5000 },
      );
      for (const p of pages) await p.evaluate(`${api}.join(77)`);
      await pages[1]!.evaluate(`${api}.sendRoom(77, 'room hello')`);
      for (const p of pages)
        await p.waitForFunction(`${api}.state.messages.some((m) => m.content === 'room hello')`, undefined, {
          timeout: 5000,
        });
      expect(await pages[0]!.locator('#log').textContent()).toMatch(
        /402: and back[\s\S]*\[room 77\] 402: room hello/,
      );
    } finally {
      await browser.close();
    }
  }, 40_000);
});
