// The dashboard page in a real browser: Debian's chromium through playwright-core (never a download).
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createTestCluster, type TestCluster } from '@troupe/runtime/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Dashboard, startDashboard } from './dashboard.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ARTIFACTS = new URL('../artifacts/', import.meta.url);
// Outside CI a machine without chromium skips; under CI=true a missing browser fails the test.
const runs = existsSync(CHROMIUM) || process.env.CI === 'true';

const link = { downTimeoutMs: 800, heartbeatIntervalMs: 100, reconnectBaseMs: 20, reconnectMaxMs: 200 };
const NODES = ['1.1.1', '1.2.1', '1.2.2', '1.255.1', '1.9.1'];
let cluster: TestCluster | undefined;
let dashboard: Dashboard | undefined;
let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  await dashboard?.close();
  await cluster?.close();
  browser = undefined;
  dashboard = undefined;
  cluster = undefined;
});

describe('dashboard page', () => {
  it.runIf(runs)('shows every member and marks a killed node down within 3 s in Chromium', async () => {
    cluster = await createTestCluster({
      nodes: NODES,
      nodeOptions: { link },
      perNode: { '1.9.1': { observer: true } },
    });
    dashboard = await startDashboard({ node: cluster.node('1.9.1'), port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(dashboard.url);

    for (const addr of NODES)
      await page.locator(`#members tr[data-addr="${addr}"][data-state="up"]`).waitFor({ timeout: 5_000 });
    // Stats arrived from every member, and the charts are drawn.
    for (const addr of NODES)
      await page.locator(`#actors tr[data-addr="${addr}"]`).waitFor({ timeout: 5_000 });
    expect(await page.locator('#charts .uplot').count()).toBe(7);
    for (const series of ['asksPerSec', 'askP99Ms'])
      expect(await page.locator(`#charts [data-series="${series}"] .uplot`).count()).toBe(1);
    // The observer asks every member for its stats each interval: its asks/s column (the eighth) shows them.
    await page
      .locator('#members tr[data-addr="1.9.1"] td:nth-child(8)', { hasText: /^[1-9]/ })
      .waitFor({ timeout: 5_000 });
    expect(await page.locator('#topology g[data-addr]').count()).toBe(NODES.length);
    expect(await page.locator('#harbors tr[data-addr="1.255.1"]').count()).toBe(1);
    // The observer's links to the members it polls are drawn, labelled with RTT (after the first
    // heartbeat round trip) and msgs/s.
    await page
      .locator('#topology text.edge-label', { hasText: /[\d.]+ ms · [\d.]+\/s/ })
      .first()
      .waitFor({ timeout: 5_000 });
    expect(await page.locator('#topology line').count()).toBeGreaterThan(0);

    const killedAt = Date.now();
    await cluster.kill('1.2.2');
    await page.locator('#members tr[data-addr="1.2.2"][data-state="down"]').waitFor({ timeout: 3_000 });
    expect(Date.now() - killedAt).toBeLessThan(3_000);
    expect(await page.locator('#topology g[data-addr="1.2.2"][data-state="down"]').count()).toBe(1);
    for (const addr of NODES.filter((a) => a !== '1.2.2'))
      expect(await page.locator(`#members tr[data-addr="${addr}"]`).getAttribute('data-state')).toBe('up');

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('dashboard.png', ARTIFACTS).pathname, fullPage: true });
    expect(errors).toEqual([]);
  });
});
