// The dashboard and /metrics over a real gateway: sessions and route counters from its stats section.
import { type Dashboard, type MetricsServer, serveMetrics, startDashboard } from '@troupe/dashboard';
import { waitFor } from '@troupe/runtime/testing';
import parse from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from './fixtures/gateway-client.js';
import { type GatewayCluster, startGatewayCluster } from './fixtures/gateway-cluster.js';

let cluster: GatewayCluster | undefined;
let dashboard: Dashboard | undefined;
let metrics: MetricsServer | undefined;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await metrics?.close();
  await dashboard?.close();
  await cluster?.close();
  metrics = undefined;
  dashboard = undefined;
  cluster = undefined;
});

describe('dashboard with a gateway', () => {
  it('shows sessions per gateway and scrapes the route counters and refusals', async () => {
    cluster = await startGatewayCluster();
    const gatewayNode = cluster.gatewayNodes[0]!;
    for (let i = 0; i < 3; i++) clients.push(await RawClient.connect(cluster.ws()));
    // A connection becomes a session with its first frame.
    for (const c of clients)
      expect(await c.call(8, { a: 2, b: 40 })).toEqual({ status: 0, body: { sum: 42 } });
    clients[1]!.send(7, {});
    await clients[1]!.notice('BLOCKED');

    metrics = await serveMetrics(gatewayNode);
    const parsed = parse(await (await fetch(`${metrics.url}/metrics`)).text());
    const sample = (name: string, labels: Record<string, string>) =>
      parsed
        .find((f) => f.name === name)
        ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value;
    expect(sample('troupe_gateway_sessions', { state: 'attached' })).toBe('3');
    expect(Number(sample('troupe_gateway_route_messages_total', { route: 'add', direction: 'in' }))).toBe(3);
    expect(sample('troupe_gateway_refusals_total', { code: 'BLOCKED' })).toBe('1');

    // Served here from the backend node; any node can serve it (an observer is the usual choice).
    dashboard = await startDashboard({ node: cluster.backendNodes[0]!, port: 0, intervalMs: 100 });
    await waitFor(
      () => dashboard!.view().members.some((m) => m.stats?.gateway?.sessions === 3),
      5000,
      'sessions',
    );
    const gw = dashboard.view().members.find((m) => m.addr === '1.1.1')!;
    expect(gw.stats!.gateway!.refusals).toMatchObject({ BLOCKED: 1 });
    expect(gw.stats!.gateway!.routes.map((r) => r.route)).toContain('add');
    const series = dashboard.view().series.sessions;
    expect(series[series.length - 1]).toBe(3);
  });
});
