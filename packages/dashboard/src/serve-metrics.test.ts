import { ASK_LATENCY_BUCKETS, defineActor, type Extension, NODE_ACTOR } from '@troupe/runtime';
import { createTestCluster, type TestCluster } from '@troupe/runtime/testing';
import parse, { type ParsedFamily } from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { type MetricsServer, serveMetrics } from './serve-metrics.js';

const link = { downTimeoutMs: 800, heartbeatIntervalMs: 100, reconnectBaseMs: 20, reconnectMaxMs: 200 };
let cluster: TestCluster | undefined;
const servers: MetricsServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  await cluster?.close();
  cluster = undefined;
});

const Echo = defineActor({
  init: () => ({}),
  handlers: {
    echo: (_s, x: number) => x,
    fail: (): number => {
      throw new Error('refused');
    },
  },
});

/** A gateway-shaped stats section, as `@troupe/gateway` adds it under `gateway`. */
const gatewaySection: Extension = {
  name: 'gateway',
  start: (host) =>
    host.addStats(() => ({
      sessions: 7,
      detached: 2,
      sessionsOpened: 9,
      sessionsResumed: 1,
      framesIn: 40,
      framesOut: 50,
      bytesIn: 400,
      bytesOut: 500,
      fanoutIn: 3,
      refusals: { BLOCKED: 4 },
      routes: { add: { framesIn: 30, bytesIn: 300, framesOut: 30, bytesOut: 360 } },
      listeners: {},
    })),
};

function family(all: ParsedFamily[], name: string): ParsedFamily {
  const f = all.find((x) => x.name === name);
  if (f === undefined) throw new Error(`family ${name} missing`);
  return f;
}

function value(f: ParsedFamily, labels: Record<string, string> = {}): number {
  const sample = f.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (sample === undefined) throw new Error(`${f.name} has no sample ${JSON.stringify(labels)}`);
  return Number(sample.value);
}

const families: Array<[string, ParsedFamily['type']]> = [
  ['troupe_node_info', 'GAUGE'],
  ['troupe_node_uptime_seconds', 'GAUGE'],
  ['troupe_actors', 'GAUGE'],
  ['troupe_mailbox_depth_max', 'GAUGE'],
  ['troupe_mailbox_depth', 'GAUGE'],
  ['troupe_asks_in_flight', 'GAUGE'],
  ['troupe_dead_letters_total', 'COUNTER'],
  ['troupe_asks_started_total', 'COUNTER'],
  ['troupe_asks_total', 'COUNTER'],
  ['troupe_ask_duration_seconds', 'HISTOGRAM'],
  ['troupe_members', 'GAUGE'],
  ['troupe_member_downs_total', 'COUNTER'],
  ['troupe_link_up', 'GAUGE'],
  ['troupe_link_messages_total', 'COUNTER'],
  ['troupe_link_bytes_total', 'COUNTER'],
  ['troupe_link_rtt_seconds', 'GAUGE'],
  ['troupe_transport_messages_total', 'COUNTER'],
  ['troupe_transport_bytes_total', 'COUNTER'],
  ['troupe_transport_dropped_messages_total', 'COUNTER'],
  ['troupe_handshakes_refused_total', 'COUNTER'],
  ['troupe_forged_messages_total', 'COUNTER'],
  ['troupe_harbor_forwarded_messages_total', 'COUNTER'],
  ['troupe_harbor_forwarded_bytes_total', 'COUNTER'],
  ['troupe_harbor_dropped_messages_total', 'COUNTER'],
  ['troupe_gateway_sessions', 'GAUGE'],
  ['troupe_gateway_sessions_opened_total', 'COUNTER'],
  ['troupe_gateway_sessions_resumed_total', 'COUNTER'],
  ['troupe_gateway_route_messages_total', 'COUNTER'],
  ['troupe_gateway_route_bytes_total', 'COUNTER'],
  ['troupe_gateway_refusals_total', 'COUNTER'],
  ['troupe_event_loop_lag_seconds', 'GAUGE'],
  ['troupe_process_resident_memory_bytes', 'GAUGE'],
  ['troupe_process_heap_bytes', 'GAUGE'],
];

describe('serveMetrics', () => {
  it('serves every family in Prometheus text format, read lazily from node.stats()', async () => {
    cluster = await createTestCluster({
      nodes: ['1.1.1', '1.2.1'],
      nodeOptions: { link },
      perNode: { '1.2.1': { extensions: [gatewaySection] } },
    });
    const a = cluster.node('1.1.1');
    const b = cluster.node('1.2.1');
    b.spawn(Echo, { name: 'echo' });
    const server = await serveMetrics(b);
    servers.push(server);
    expect(await a.ref<typeof Echo>('1.2.1', 'echo').call.echo(5)).toBe(5);
    b.ref('1.2.1', 'nobody').tell('x');
    b.ref('1.2.1', 'nobody').tell('y');

    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const parsed = parse(await res.text());
    for (const [name, type] of families) expect(family(parsed, name).type, name).toBe(type);
    for (const f of parsed) {
      expect(f.name.startsWith('troupe_'), f.name).toBe(true);
      if (f.type === 'COUNTER') expect(f.name.endsWith('_total'), f.name).toBe(true);
      // The parser keeps no labels of histogram samples; the raw lines are checked below.
      if (f.type !== 'HISTOGRAM') for (const m of f.metrics) expect(m.labels?.node, f.name).toBe('1.2.1');
    }
    expect(value(family(parsed, 'troupe_actors'), { kind: 'user' })).toBe(1);
    expect(value(family(parsed, 'troupe_actors'), { kind: 'system' })).toBe(1);
    expect(value(family(parsed, 'troupe_dead_letters_total'), { reason: 'actor not found' })).toBe(2);
    expect(value(family(parsed, 'troupe_members'), { state: 'up' })).toBe(2);
    expect(value(family(parsed, 'troupe_transport_messages_total'), { direction: 'in' })).toBeGreaterThan(0);
    expect(value(family(parsed, 'troupe_link_up'), { peer: '1.1.1' })).toBe(1);
    expect(
      value(family(parsed, 'troupe_link_messages_total'), { peer: '1.1.1', direction: 'in' }),
    ).toBeGreaterThan(0);
    expect(
      value(family(parsed, 'troupe_link_bytes_total'), { peer: '1.1.1', direction: 'out' }),
    ).toBeGreaterThan(0);
    expect(value(family(parsed, 'troupe_gateway_sessions'), { state: 'attached' })).toBe(5);
    expect(value(family(parsed, 'troupe_gateway_sessions'), { state: 'detached' })).toBe(2);
    expect(
      value(family(parsed, 'troupe_gateway_route_messages_total'), { route: 'add', direction: 'out' }),
    ).toBe(30);
    expect(value(family(parsed, 'troupe_gateway_refusals_total'), { code: 'BLOCKED' })).toBe(4);
    expect(value(family(parsed, 'troupe_process_resident_memory_bytes'))).toBeGreaterThan(1e6);
    const heapUsed = value(family(parsed, 'troupe_process_heap_bytes'), { kind: 'used' });
    expect(heapUsed).toBeGreaterThan(1e6);
    expect(value(family(parsed, 'troupe_process_heap_bytes'), { kind: 'total' })).toBeGreaterThanOrEqual(
      heapUsed,
    );
    expect(value(family(parsed, 'troupe_node_info'), { type: '2', observer: 'false' })).toBe(1);
    expect(server.metrics.lastScrapeMs).toBeGreaterThan(0);
  });

  it('exports asks by outcome, their latency histogram and dead letters, counted from the node start', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1'], nodeOptions: { link } });
    const a = cluster.node('1.1.1');
    const b = cluster.node('1.2.1');
    a.spawn(Echo, { name: 'echo' });
    const echo = b.ref<typeof Echo>('1.1.1', 'echo');
    // All before the metrics exist: the node counts them itself.
    expect(await echo.call.echo(1)).toBe(1);
    expect(await echo.call.echo(2)).toBe(2);
    await expect(echo.call.fail()).rejects.toThrow(/refused/);
    await expect(b.ref('1.1.1', 'nobody').ask('x')).rejects.toThrow(/nobody/);
    b.ref('1.2.1', 'nobody').tell('x');
    const server = await serveMetrics(b);
    servers.push(server);

    const text = await (await fetch(`${server.url}/metrics`)).text();
    const parsed = parse(text);
    expect(value(family(parsed, 'troupe_asks_started_total'))).toBe(4);
    const outcomes = family(parsed, 'troupe_asks_total');
    expect(value(outcomes, { outcome: 'ok' })).toBe(2);
    expect(value(outcomes, { outcome: 'REMOTE_ERROR' })).toBe(1);
    expect(value(outcomes, { outcome: 'ACTOR_NOT_FOUND' })).toBe(1);
    expect(outcomes.metrics).toHaveLength(3);
    const [latency] = family(parsed, 'troupe_ask_duration_seconds').metrics;
    // The parser keeps neither labels nor sum and count of histogram samples: read those lines.
    expect(text).toMatch(/^troupe_ask_duration_seconds_count\{node="1\.2\.1"\} 4$/m);
    const sum = /^troupe_ask_duration_seconds_sum\{node="1\.2\.1"\} (\S+)$/m.exec(text);
    expect(Number(sum?.[1])).toBeGreaterThan(0);
    expect(text).toMatch(/^troupe_ask_duration_seconds_bucket\{le="\+Inf",node="1\.2\.1"\} 4$/m);
    const buckets = Object.entries(latency?.buckets ?? {})
      .map(([le, n]) => [le === '+Inf' ? Infinity : Number(le), Number(n)] as const)
      .sort(([x], [y]) => x - y);
    expect(buckets.map(([le]) => le)).toEqual([...ASK_LATENCY_BUCKETS, Infinity]);
    // Cumulative, ending at the count.
    for (let i = 1; i < buckets.length; i++)
      expect(buckets[i]![1]).toBeGreaterThanOrEqual(buckets[i - 1]![1]);
    expect(buckets.at(-1)![1]).toBe(4);
    expect(value(family(parsed, 'troupe_dead_letters_total'), { reason: 'actor not found' })).toBe(1);
  });

  it('counts a member going down and labels bounded reasons', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1'], nodeOptions: { link } });
    const a = cluster.node('1.1.1');
    const server = await serveMetrics(a, { topMailboxes: 0 });
    servers.push(server);
    await a.ref('1.2.1', NODE_ACTOR).ask('types');
    const down = new Promise<void>((resolve) => a.once('memberDown', () => resolve()));
    await cluster.kill('1.2.1');
    await down;
    const parsed = parse(await (await fetch(`${server.url}/metrics`)).text());
    expect(value(family(parsed, 'troupe_members'), { state: 'down' })).toBe(1);
    expect(family(parsed, 'troupe_member_downs_total').metrics.map((m) => Number(m.value))).toEqual([1]);
    expect(family(parsed, 'troupe_mailbox_depth').metrics).toEqual([]);
  });

  it('answers /ready and /alive, and 503 once the node stopped', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1'], nodeOptions: { link } });
    const node = cluster.node('1.1.1');
    const server = await serveMetrics(node);
    servers.push(server);
    const ready = await fetch(`${server.url}/ready`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', node: '1.1.1' }]);
    const alive = await fetch(`${server.url}/alive`);
    expect([alive.status, await alive.json()]).toEqual([200, { status: 'alive', node: '1.1.1' }]);
    await node.setAvailable(false);
    const draining = await fetch(`${server.url}/ready`);
    expect([draining.status, ((await draining.json()) as { reason: string }).reason]).toEqual([
      503,
      'draining',
    ]);
    expect((await fetch(`${server.url}/nothing`)).status).toBe(404);
    await cluster.stop('1.1.1');
    expect((await fetch(`${server.url}/alive`)).status).toBe(503);
    expect((await fetch(`${server.url}/ready`)).status).toBe(503);
  });

  it('refuses a bad option by name', async () => {
    cluster = await createTestCluster({ nodes: ['1.1.1'], nodeOptions: { link } });
    await expect(serveMetrics(cluster.node('1.1.1'), { topMailboxes: -1 })).rejects.toThrow(/topMailboxes/);
    await expect(serveMetrics(cluster.node('1.1.1'), { port: 70_000 })).rejects.toThrow(/port/);
    await expect(serveMetrics(cluster.node('1.1.1'), { host: '' })).rejects.toThrow(/option host/);
  });
});
