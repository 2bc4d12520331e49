// `pnpm example two-clusters` as its README says: players of two zone clusters fight on the shared battle
// cluster's exported nodes, reached through the harbors.
import { fileURLToPath } from 'node:url';
import type { ClientEndpoints } from '@troupe/cli';
import { connect } from '@troupe/client';
import { tcp } from '@troupe/client/tcp';
import { afterEach, describe, expect, it } from 'vitest';
import { ZoneProtocol } from '../packages/examples/src/two-clusters/protocol.js';
import { killAll, spawnTs } from './spawned.js';

const entry = fileURLToPath(new URL('../packages/examples/src/two-clusters.ts', import.meta.url));
afterEach(killAll);

describe('example two-clusters', () => {
  it('zones in groups 1 and 2 pick the exported battle nodes of group 3 across the harbors', async () => {
    const p = spawnTs(entry, []);
    const endpoints = JSON.parse(await p.line(/^\{/, 30_000)) as ClientEndpoints;
    expect(endpoints.gateways.map((g) => g.addr)).toEqual(['1.1.1', '2.1.1']);
    const zone1 = await connect(endpoints.gateways[0]!.ws!, { protocol: ZoneProtocol });
    const zone2 = await connect(tcp(endpoints.gateways[1]!.tcp!), { protocol: ZoneProtocol });
    try {
      const fights = [];
      for (let i = 0; i < 4; i++) {
        fights.push(await zone1.call.fight({ player: `ada${i}` }));
        fights.push(await zone2.call.fight({ player: `bob${i}` }));
      }
      expect(new Set(fights.filter((f) => f.player.startsWith('ada')).map((f) => f.zone))).toEqual(
        new Set(['1.2.1']),
      );
      expect(new Set(fights.filter((f) => f.player.startsWith('bob')).map((f) => f.zone))).toEqual(
        new Set(['2.2.1']),
      );
      // Both battle nodes of group 3 served both zones (round robin per zone node).
      for (const zone of ['1.2.1', '2.2.1'])
        expect(new Set(fights.filter((f) => f.zone === zone).map((f) => f.battle))).toEqual(
          new Set(['3.5.1', '3.5.2']),
        );
      expect(fights.reduce((n, f) => Math.max(n, f.round), 0)).toBe(4); // 8 fights over 2 battle nodes
    } finally {
      zone1.close();
      zone2.close();
    }
    expect(await p.stop('SIGTERM')).toBe(0);
  }, 40_000);
});
