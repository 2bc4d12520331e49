// The SDK in a real browser: a page that imports the bundled SDK connects to `pnpm example gateway-echo`,
// logs in, requests, receives a broadcast and resumes after the test cuts its socket (through a TCP proxy).

import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connect } from './connect.js';
import { Echo, type EchoExample, startEchoExample } from './echo-example.fixture.js';
import { snippet } from './readme.fixture.js';
import { TcpProxy } from './tcp-proxy.fixture.js';
import type { Client } from './typed.js';

const CHROMIUM = '/usr/bin/chromium';
// Outside CI a machine without the browser skips this file; under CI=true a missing browser fails the test.
const runnable = existsSync(CHROMIUM) || process.env.CI === 'true';

// The SDK for the first page, exposed as `window.troupe` so the test drives it with page.evaluate.
const SDK_GLOBAL =
  "import { connect, defineProtocol, type } from '@troupe/client';\nwindow.troupe = { connect, defineProtocol, type };";

let example: EchoExample | undefined;
let proxy: TcpProxy | undefined;
let http: Server | undefined;
let browser: Browser | undefined;
let nodeClient: Client<typeof Echo> | undefined;

const html = (script: string) => `<!doctype html><meta charset="utf-8"><title>troupe client</title>
<script type="module" src="${script}"></script>`;

/** Bundles `source` for the browser as an app's bundler would, `@troupe/client` resolving to this package. */
async function bundle(source: string): Promise<string> {
  const here = dirname(fileURLToPath(import.meta.url));
  const result = await build({
    stdin: { contents: source, resolveDir: here, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    alias: { '@troupe/client': join(here, 'index.ts') },
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Serves `files` (path to [content type, body]) on a free port; resolves to the base URL. */
async function serve(files: Record<string, [string, string]>): Promise<string> {
  const server = createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (file) res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
    else res.writeHead(404).end();
  });
  http = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe.skipIf(!runnable)('browser', () => {
  let base: string;

  beforeAll(async () => {
    example = await startEchoExample();
    proxy = await TcpProxy.start(example.gateways[0]!.ws.slice('ws://'.length));
    // The README's browser snippet dials the address it shows; the test points it at this gateway.
    const readme = snippet('browser').replace('ws://127.0.0.1:7001', example.gateways[1]!.ws);
    base = await serve({
      '/': ['text/html', html('/sdk.js')],
      '/sdk.js': ['text/javascript', await bundle(SDK_GLOBAL)],
      '/readme': ['text/html', html('/readme.js')],
      '/readme.js': ['text/javascript', await bundle(readme)],
    });
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
  }, 60_000);

  afterAll(async () => {
    nodeClient?.close();
    await browser?.close();
    await proxy?.close();
    await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)));
    if (example) expect(await example.stop()).toBe(0);
  });

  it('logs in, requests, receives a broadcast and resumes after a dropped socket in Chromium', async () => {
    const gateway = example!.gateways[0]!;
    const page: Page = await browser!.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${base}/`);
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
    }, `ws://127.0.0.1:${proxy!.port}`);
    expect(first).toMatchObject({ sum: { sum: 42 }, login: { uid: 'web' } });
    expect(first.userAgent).toMatch(/Chrome\//);

    // A broadcast from a Node client on the same gateway reaches the page.
    nodeClient = await connect<typeof Echo>(gateway.ws, { protocol: Echo, WebSocket });
    await nodeClient.call.login({ uid: 'node' });
    await nodeClient.call.shout({ text: 'hello browser' });
    await page.waitForFunction(() => (globalThis as any).log.shouts.length === 1, undefined, {
      timeout: 10_000,
    });

    // Drop the page's socket; a shout sent while it is away arrives after the resume, once.
    proxy!.refusing = true;
    proxy!.cut();
    await page.waitForFunction(
      () => (globalThis as any).log.states.some((s: any) => s.state === 'reconnecting'),
      undefined,
      {
        timeout: 10_000,
      },
    );
    await nodeClient.call.shout({ text: 'while you were away' });
    proxy!.refusing = false;
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
  }, 60_000); // a browser on a loaded CI machine is slow, not wrong

  it('runs the README browser snippet as written in Chromium', async () => {
    const page = await browser!.newPage();
    const lines: string[] = [];
    page.on('console', (message) => lines.push(message.text()));
    page.on('pageerror', (err) => lines.push(`pageerror: ${err.message}`));
    const heard = page.waitForEvent('console', {
      predicate: (message) => message.text() === 'ada: hello from the browser',
      timeout: 10_000,
    });
    await page.goto(`${base}/readme`);
    await heard;
    expect(lines).toContain('1 + 2 = 3');
    expect(lines).toContain('ada: hello from the browser');
    expect(lines.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  }, 60_000);
});
