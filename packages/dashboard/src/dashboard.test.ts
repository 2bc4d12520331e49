import { defineActor, StaticMembership } from '@troupe/runtime';
import { createTestCluster, freePort, type TestCluster, waitFor } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterWatch } from './cluster-watch.js';
import { type Dashboard, startDashboard } from './dashboard.js';
import { resolveDashboardOptions } from './dashboard-options.js';
import type { ClusterView } from './view.js';

const link = { downTimeoutMs: 800, heartbeatIntervalMs: 100, reconnectBaseMs: 20, reconnectMaxMs: 200 };
const SECRET = 'test-cluster-secret';
let cluster: TestCluster | undefined;
let dashboard: Dashboard | undefined;
const watches: ClusterWatch[] = [];
afterEach(async () => {
  for (const w of watches.splice(0)) w.close();
  await dashboard?.close();
  await cluster?.close();
  dashboard = undefined;
  cluster = undefined;
});

const Sink = defineActor({ init: () => ({}), handlers: { put: (_s, _x: number) => {} } });

describe('startDashboard', () => {
  it('joins as an observer from cluster options and serves the page, its assets and the JSON view', async () => {
    const port = await freePort();
    cluster = await createTestCluster({
      nodes: ['1.1.1', '1.2.1'],
      nodeOptions: { link },
      external: [{ addr: '1.9.1', port }],
    });
    const members = ['1.1.1', '1.2.1'].map((a) => ({ addr: a, host: '127.0.0.1', port: cluster!.port(a) }));
    members.push({ addr: '1.9.1', host: '127.0.0.1', port });
    dashboard = await startDashboard({
      cluster: {
        addr: '1.9.1',
        secret: SECRET,
        listen: { port },
        link,
        membership: new StaticMembership({ members }),
      },
      port: 0,
      intervalMs: 100,
    });
    expect(dashboard.node.observer).toBe(true);
    expect(dashboard.polling).toBe(false);
    const page = await fetch(dashboard.url);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<script src="/uplot.js">');
    const uplot = await fetch(new URL('/uplot.js', dashboard.url));
    expect([uplot.status, (await uplot.text()).includes('uPlot')]).toEqual([200, true]);
    expect((await fetch(new URL('/app.js', dashboard.url))).status).toBe(200);
    expect((await fetch(new URL('/metrics', dashboard.url))).status).toBe(200);
    expect((await fetch(new URL('/ready', dashboard.url))).status).toBe(200);

    const b = cluster.node('1.2.1');
    const sink = b.spawn(Sink, { name: 'sink' });
    const read = async () =>
      (await (await fetch(new URL('/api/cluster', dashboard!.url))).json()) as ClusterView;
    await waitFor(
      async () => (await read()).members.every((m) => m.stats !== undefined),
      5000,
      'stats of every member',
    );
    expect(dashboard.polling).toBe(true);
    for (let i = 0; i < 50; i++) sink.cast.put(i);
    const view = await read();
    expect(view.observer).toBe('1.9.1');
    expect(view.members.map((m) => [m.addr, m.state, m.observer])).toEqual([
      ['1.1.1', 'up', false],
      ['1.2.1', 'up', false],
      ['1.9.1', 'up', true],
    ]);
    const worker = view.members.find((m) => m.addr === '1.2.1')!;
    expect(worker.stats!.actors).toBe(1);
    expect(worker.stats!.systemActors).toBe(1);
    expect(view.series.t.length).toBeGreaterThan(0);
    expect(view.series.t.length).toBe(view.series.probeMs.length);
  });

  it('stops polling when no page reads the view, and starts again on a read', async () => {
    cluster = await createTestCluster({
      nodes: ['1.1.1', '1.9.1'],
      nodeOptions: { link },
      perNode: { '1.9.1': { observer: true } },
    });
    const o = resolveDashboardOptions({ intervalMs: 50, idleAfterMs: 200, historyPoints: 3 });
    const watch = new ClusterWatch(cluster.node('1.9.1'), o);
    watches.push(watch);
    expect(watch.polling).toBe(false);
    watch.view();
    expect(watch.polling).toBe(true);
    await waitFor(() => watch.view().series.t.length === 3, 3000, 'history filled to its limit');
    await waitFor(() => !watch.polling, 3000, 'polling to stop');
    expect(watch.view().series.t.length).toBe(3);
    expect(watch.polling).toBe(true);
  });

  it('marks a killed member down and keeps it listed', async () => {
    cluster = await createTestCluster({
      nodes: ['1.1.1', '1.2.1', '1.9.1'],
      nodeOptions: { link },
      perNode: { '1.9.1': { observer: true } },
    });
    const watch = new ClusterWatch(cluster.node('1.9.1'), resolveDashboardOptions({ intervalMs: 50 }));
    watches.push(watch);
    await waitFor(() => watch.view().members.every((m) => m.stats !== undefined), 5000, 'stats');
    await cluster.kill('1.2.1');
    await waitFor(() => watch.view().members.find((m) => m.addr === '1.2.1')?.state === 'down', 3000, 'down');
    const down = watch.view().members.find((m) => m.addr === '1.2.1')!;
    expect(typeof down.downReason).toBe('string');
    expect(down.downAt).toBeGreaterThan(0);
  });

  it('refuses contradictory or bad options by name', async () => {
    await expect(startDashboard({ port: 0 })).rejects.toThrow(/option node/);
    expect(() => resolveDashboardOptions({ intervalMs: 10 })).toThrow(/intervalMs/);
    expect(() => resolveDashboardOptions({ statsTimeoutMs: 0 })).toThrow(/statsTimeoutMs/);
    expect(() => resolveDashboardOptions({ host: '' })).toThrow(/host/);
  });
});
