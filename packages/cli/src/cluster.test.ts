// startCluster and clusterStatus on real loopback links: a whole config, a subset, the center, failures.
import { fileURLToPath } from 'node:url';
import type { ActorRef } from '@troupe/runtime';
import { freePort } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningCluster, startCluster } from './cluster.js';
import { defineCluster } from './config.js';
import { UsageError } from './errors.js';
import type { Echo } from './fixtures/echo-service.js';
import { clusterStatus, formatStatus } from './status.js';

const baseDir = fileURLToPath(new URL('./fixtures', import.meta.url));
const echo = { name: 'echo', module: './echo-service.ts', export: 'Echo', args: { prefix: '> ' } };

const open: RunningCluster[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.stop()));
});

async function threeNodes() {
  return defineCluster(
    {
      cluster: 'cli-test',
      secret: 'cli-test-secret',
      nodes: [
        { addr: '1.1.1', port: await freePort() },
        { addr: '1.2.1', port: await freePort(), services: [echo] },
        { addr: '1.2.2', port: await freePort() },
      ],
    },
    { baseDir },
  );
}

describe('startCluster', () => {
  it('starts a 3-node cluster from one config, up and linked, with its services', async () => {
    const config = await threeNodes();
    const began = performance.now();
    const cluster = await startCluster(config);
    open.push(cluster);
    const ms = performance.now() - began;
    console.log(`3-node cluster from one config up and linked in ${ms.toFixed(0)} ms`);
    expect(cluster.nodes()).toHaveLength(3);
    for (const n of cluster.nodes()) expect(n.members()).toHaveLength(3);
    const ref = cluster.node('1.1.1').ref<typeof Echo>('1.2.1', 'echo') as ActorRef<typeof Echo>;
    expect(await ref.call.echo('hi')).toBe('> hi');
    expect(cluster.endpoints()).toEqual(
      config.nodes.map((n) => ({ addr: n.addr, host: '127.0.0.1', port: n.port })),
    );
    await cluster.stop();
    await cluster.stop(); // idempotent
    await expect(ref.call.echo('again')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('starts only the nodes asked for, and refuses one the config does not have', async () => {
    const config = await threeNodes();
    const one = await startCluster(config, { nodes: ['1.2.1'] });
    open.push(one);
    expect(one.nodes().map((n) => n.port)).toEqual([config.nodes[1]!.port]);
    expect(() => one.node('1.1.1')).toThrow(UsageError);
    await expect(startCluster(config, { nodes: ['1.9.9'] })).rejects.toThrow(
      /node 1\.9\.9 is not in defineCluster/,
    );
    // The other two join later, as separate `troupe start --node` processes would.
    const rest = await startCluster(config, { nodes: ['1.1.1', '1.2.2'] });
    open.push(rest);
    const ref = rest.node('1.2.2').ref<typeof Echo>('1.2.1', 'echo');
    expect(await ref.call.echo('late')).toBe('> late');
  });

  it('chooses ports for static members configured with 0 when all start together, and refuses a subset', async () => {
    const config = defineCluster(
      {
        secret: 'cli-test-secret',
        nodes: [
          { addr: '1.1.1', port: 0 },
          { addr: '1.2.1', port: 0, services: [echo] },
        ],
      },
      { baseDir },
    );
    await expect(startCluster(config, { nodes: ['1.1.1'] })).rejects.toThrow(
      /nodes\[0\]\.port is 0 but 1\.1\.1's peers must know it/,
    );
    const cluster = await startCluster(config);
    open.push(cluster);
    const ports = cluster.endpoints().map((e) => e.port);
    expect(ports.every((p) => p > 0)).toBe(true);
    expect(await cluster.node('1.1.1').ref<typeof Echo>('1.2.1', 'echo').call.echo('p')).toBe('> p');
    // Given ports win over the config's.
    const given = await freePort();
    const one = await startCluster(config, {
      nodes: ['1.2.1'],
      ports: { '1.1.1': ports[0]!, '1.2.1': given },
      waitLinked: false,
    });
    open.push(one);
    expect(one.endpoints()[0]!.port).toBe(given);
  });

  it('runs the embedded center first; other nodes may take port 0', async () => {
    const config = defineCluster(
      {
        secret: 'cli-test-secret',
        membership: { kind: 'center', node: '1.100.1' },
        nodes: [
          { addr: '1.1.1', port: 0 },
          { addr: '1.100.1', port: await freePort() },
          { addr: '1.2.1', port: 0, services: [echo] },
        ],
      },
      { baseDir },
    );
    const cluster = await startCluster(config);
    open.push(cluster);
    for (const n of cluster.nodes()) expect(n.members()).toHaveLength(3);
    expect(await cluster.node('1.1.1').ref<typeof Echo>('1.2.1', 'echo').call.echo('c')).toBe('> c');
  });

  it('reads the secret from the named variable, and refuses when it is unset', async () => {
    const base = await threeNodes();
    const config = defineCluster({ ...base, secret: { env: 'CLI_TEST_SECRET' } }, { baseDir });
    await expect(startCluster(config, { env: {} })).rejects.toMatchObject({ code: 'SECRET_MISSING' });
    const cluster = await startCluster(config, { env: { CLI_TEST_SECRET: 'from-the-environment' } });
    open.push(cluster);
    expect(cluster.nodes()).toHaveLength(3);
  });

  it('stops every node it started when a service fails to spawn', async () => {
    const base = await threeNodes();
    const config = defineCluster(
      {
        ...base,
        nodes: [
          base.nodes[0]!,
          {
            ...base.nodes[1]!,
            services: [{ name: 'bad', module: './failing-service.ts', export: 'Failing' }],
          },
        ],
      },
      { baseDir },
    );
    await expect(startCluster(config)).rejects.toThrow(/init refused/);
    // The ports are free again: nothing was left listening.
    const again = await startCluster(defineCluster({ ...base, nodes: base.nodes.slice(0, 2) }, { baseDir }));
    open.push(again);
    expect(again.nodes()).toHaveLength(2);
  });
});

describe('clusterStatus', () => {
  it('reports every member with its stats from an observer that is never listed', async () => {
    const config = await threeNodes();
    const cluster = await startCluster(config);
    open.push(cluster);
    await cluster.node('1.2.2').setLoad(7);
    const members = await clusterStatus(config, { as: '1.254.9' });
    expect(members.map((m) => m.addr)).toEqual(['1.1.1', '1.2.1', '1.2.2']);
    for (const m of members) expect(m.error).toBeUndefined();
    expect(members[1]!.stats!.actors.count - members[1]!.stats!.actors.system).toBe(1);
    const table = formatStatus(members);
    expect(table.split('\n')[0]).toMatch(/^ADDR +HOST:PORT +LOAD +ACTORS +SESSIONS/);
    expect(table).toMatch(/^1\.2\.1 +127\.0\.0\.1:\d+ +0 +1 /m);
  });

  it('marks a member that does not answer as unreachable', async () => {
    const config = await threeNodes();
    const cluster = await startCluster(config, { nodes: ['1.1.1', '1.2.1'] });
    open.push(cluster);
    const members = await clusterStatus(config, { timeoutMs: 1000 });
    expect(members.find((m) => m.addr === '1.2.2')?.error).toBeDefined();
    expect(formatStatus(members)).toMatch(/^1\.2\.2 .*unreachable/m);
  });
});
