// `pnpm example echo` as its README says: started from its config, driven by real WebSocket and TCP clients.
import { fileURLToPath } from 'node:url';
import type { ClientEndpoints } from '@troupe/cli';
import { connect } from '@troupe/client';
import { tcp } from '@troupe/client/tcp';
import { afterEach, describe, expect, it } from 'vitest';
import { EchoProtocol } from '../packages/examples/src/echo/protocol.js';
import { killAll, spawnTs } from './spawned.js';

const entry = fileURLToPath(new URL('../packages/examples/src/echo.ts', import.meta.url));
afterEach(killAll);

describe('example echo', () => {
  it('serves echo from both type-1 nodes and relays through a caller that picks one, then exits 0 on SIGINT', async () => {
    const p = spawnTs(entry, []);
    const endpoints = JSON.parse(await p.line(/^\{/)) as ClientEndpoints;
    expect(p.stdout[0]).toBe(JSON.stringify(endpoints)); // the first line
    expect(endpoints.nodes.map((n) => n.addr)).toEqual(['1.1.1', '1.1.2', '1.2.1', '1.3.1']);
    const gw = endpoints.gateways[0]!;
    expect(gw).toMatchObject({ addr: '1.3.1', ws: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/) });

    const overWs = await connect(gw.ws!, { protocol: EchoProtocol });
    const overTcp = await connect(tcp(gw.tcp!), { protocol: EchoProtocol });
    try {
      const answers = await Promise.all([1, 2, 3, 4].map((i) => overWs.call.echo({ msg: `m${i}` })));
      expect(answers.map((a) => a.msg)).toEqual(['m1', 'm2', 'm3', 'm4']);
      expect(new Set(answers.map((a) => a.by))).toEqual(new Set(['1.1.1', '1.1.2'])); // round robin over type 1
      const relayed = await overTcp.call.relay({ msg: 'hello' });
      expect(relayed).toMatchObject({
        msg: 'hello',
        via: '1.2.1',
        by: expect.stringMatching(/^1\.1\.[12]$/),
      });
    } finally {
      overWs.close();
      overTcp.close();
    }
    expect(await p.stop('SIGINT')).toBe(0);
    expect(p.stderr.join('\n')).toMatch(/echo: stopped/);
  }, 30_000);
});
