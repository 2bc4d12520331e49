// The SDK in a real browser: a page that imports the bundled SDK connects to `pnpm example gateway-echo`,
// logs in, requests, receives a broadcast and resumes after the test cuts its socket (through a TCP proxy).

import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connect } from './connect.js';
import { Echo, type EchoExample, startEchoExample } from './echo-example.fixture.js';
import { TcpProxy } from './tcp-proxy.fixture.js';
import type { Client } from './typed.js';

const CHROMIUM = '/usr/bin/chromium';
// Outside CI a machine without the browser skips this file; under CI=true a missing browser fails the test.
const runnable = existsSync(CHROMIUM) || process.env.CI === 'true';

const PAGE = `<!doctype html><meta charset="utf-8"><title>troupe client</title>
<script type="module" src="/sdk.js"></script>`;

let example: EchoExample | undefined;
let proxy: TcpProxy | undefined;
let http: Server | undefined;
let browser: Browser | undefined;
let nodeClient: Client<typeof Echo> | undefined;

/** The SDK bundled for the browser, exposed to the page as `window.troupe`. */
async function bundleSdk(): Promise<string> {
  const result = await build({
    stdin: {
      contents:
        "import { connect, defineProtocol, type } from './index.ts';\nwindow.troupe = { connect, defineProtocol, type };",
      resolveDir: dirname(fileURLToPath(import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@troupe/source'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

async function serve(sdk: string): Promise<string> {
  const server = createServer((req, res) => {
    if (req.url === '/sdk.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
    else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    else res.writeHead(404).end();
  });
  http = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
}

describe.skipIf(!runnable)('browser', () => {
  beforeAll(async () => {
    example = await startEchoExample();
  }, 30_000);

  afterAll(async () => {
    nodeClient?.close();
    await browser?.close();
    await proxy?.close();
    await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
    if (example) expect(await example.stop()).toBe(0);
  });

  it('logs in, requests, receives a broadcast and resumes after a dropped socket in Chromium', async () => {
    const gateway = example!.gateways[0]!;
    proxy = await TcpProxy.start(gateway.ws.slice('ws://'.length));
    const url = await serve(await bundleSdk());
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const page: Page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(url);
    await page.waitForFunction(() => 'troupe' in globalThis, undefined, { timeout: 10_000 });

    // In the page: the same protocol definition a browser app writes, then connect, request, log in.
    const first = await page.evaluate(async (wsUrl) => {
      const w = globalThis as any;
      const { connect, defineProtocol, type } = w.troupe;
      const Echo = defineProtocol({
        login: { msgId: 2, rule: 'pass', request: type(), reply: type() },
        whoami: { msgId: 3, request: type(), reply: type() },
        shout: { msgId: 4, request: type(), push: type() },
        add: { msgId: 8, rule: 'pass', request: type(), reply: type() },
      });
      const client = await connect(wsUrl, { protocol: Echo, reconnect: { minDelayMs: 20, maxDelayMs: 100 } });
      w.log = { states: [], shouts: [] };
      client.on('state', (s: unknown) => w.log.states.push(s));
      client.on.shout((m: unknown) => w.log.shouts.push(m));
      w.client = client;
      const sum = await client.call.add({ a: 20, b: 22 });
      const login = await client.call.login({ uid: 'web' });
      return { sum, login, session: client.session, userAgent: w.navigator.userAgent };
    }, `ws://127.0.0.1:${proxy.port}`);
    expect(first).toMatchObject({ sum: { sum: 42 }, login: { uid: 'web' } });
    expect(first.userAgent).toMatch(/Chrome\//);

    // A broadcast from a Node client on the same gateway reaches the page.
    nodeClient = await connect<typeof Echo>(gateway.ws, { protocol: Echo, WebSocket: WebSocket as never });
    await nodeClient.call.login({ uid: 'node' });
    await nodeClient.call.shout({ text: 'hello browser' });
    await page.waitForFunction(() => (globalThis as any).log.shouts.length === 1, undefined, {
      timeout: 10_000,
    });

    // Drop the page's socket; a shout sent while it is away arrives after the resume, once.
    proxy.refusing = true;
    proxy.cut();
    await page.waitForFunction(
      () => (globalThis as any).log.states.some((s: any) => s.state === 'reconnecting'),
      undefined,
      {
        timeout: 10_000,
      },
    );
    await nodeClient.call.shout({ text: 'while you were away' });
    proxy.refusing = false;
    await page.waitForFunction(
      () => (globalThis as any).log.states.some((s: any) => s.resumed === true),
      undefined,
      {
        timeout: 10_000,
      },
    );
    await page.waitForFunction(() => (globalThis as any).log.shouts.length >= 2, undefined, {
      timeout: 10_000,
    });
    const after = await page.evaluate(async () => {
      const w = globalThis as any;
      return { shouts: w.log.shouts, whoami: await w.client.call.whoami(), session: w.client.session };
    });
    expect(after.shouts).toEqual([
      { from: 'node', text: 'hello browser' },
      { from: 'node', text: 'while you were away' },
    ]);
    expect(after.whoami).toEqual({ uid: 'web', gateway: gateway.addr });
    expect(after.session).toBe(first.session);
    expect(pageErrors).toEqual([]);
  });
});
