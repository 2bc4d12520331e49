// troupe status on a cluster with a gateway: the gateway's sessions show in its row.
import { clusterStatus, defineCluster, formatStatus, type RunningCluster, startCluster } from '@troupe/cli';
import { connect } from '@troupe/client';
import { waitFor } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';

const open: RunningCluster[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.stop()));
});

describe('clusterStatus with a gateway', () => {
  it('counts the sessions of each gateway member', async () => {
    const config = defineCluster({
      secret: 'status-test-secret',
      nodes: [
        { addr: '1.1.1', port: 0, gateway: { ws: { port: 0 }, tcp: false } },
        { addr: '1.2.1', port: 0 },
      ],
    });
    const cluster = await startCluster(config);
    open.push(cluster);
    const ws = cluster.clientEndpoints().gateways[0]!.ws!;
    const clients = await Promise.all([connect(ws), connect(ws)]);
    try {
      // The running cluster's config: its port-0 static members got real ports at start.
      let members = await clusterStatus(cluster.config, { as: '1.254.7' });
      await waitFor(
        async () => {
          members = await clusterStatus(cluster.config, { as: '1.254.7' });
          return members[0]?.sessions === 2;
        },
        5000,
        'two sessions in the status',
      );
      expect(members.map((m) => [m.addr, m.sessions])).toEqual([
        ['1.1.1', 2],
        ['1.2.1', undefined],
      ]);
      expect(formatStatus(members)).toMatch(/^1\.1\.1 +127\.0\.0\.1:\d+ +0 +\d+ +2 /m);
    } finally {
      for (const c of clients) c.close();
    }
  });
});
