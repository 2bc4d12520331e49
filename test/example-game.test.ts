// `pnpm example game` as its README says: login, a ticket for the least-loaded gateway, a game node bound
// to the session, gold and levels, the hub's online count; and `pnpm example bots` driving it.
import { fileURLToPath } from 'node:url';
import type { ClientEndpoints } from '@troupe/cli';
import { type Client, connect } from '@troupe/client';
import { tcp } from '@troupe/client/tcp';
import { waitFor } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GameProtocol,
  GOLD_PER_WORK,
  LEVEL_COST,
  START_GOLD,
} from '../packages/examples/src/game/protocol.js';
import { killAll, spawnTs } from './spawned.js';

const example = (name: string) =>
  fileURLToPath(new URL(`../packages/examples/src/${name}.ts`, import.meta.url));
afterEach(killAll);

async function player(login: string, name: string, via: 'ws' | 'tcp') {
  const res = await fetch(new URL('/login', login), {
    method: 'POST',
    body: JSON.stringify({ name, password: 'game-demo' }),
  });
  expect(res.status).toBe(200);
  const answer = (await res.json()) as { ws: string; tcp: string; ticket: string; gateway: string };
  return connect(via === 'ws' ? answer.ws : tcp(answer.tcp), {
    protocol: GameProtocol,
    ticket: answer.ticket,
  });
}

describe('example game', () => {
  it('plays: enter binds the session to a game node, gold buys levels, the hub counts who is online', async () => {
    const p = spawnTs(example('game'), []);
    const endpoints = JSON.parse(await p.line(/^\{/)) as ClientEndpoints;
    expect(endpoints.gateways).toHaveLength(2);
    const login = endpoints.login[0]!;
    const clients: Client<typeof GameProtocol>[] = [];
    try {
      const ada = await player(login, 'ada', 'ws');
      const bob = await player(login, 'bob', 'tcp');
      clients.push(ada, bob);
      await expect(ada.call.player({})).rejects.toMatchObject({ code: 'NOT_ENTERED' }); // not bound yet
      const entered = await ada.call.enter({});
      expect(entered).toMatchObject({
        uid: 'ada',
        level: 1,
        gold: START_GOLD,
        node: expect.stringMatching(/^1\.2\.[12]$/),
      });
      await bob.call.enter({});
      // Every later request reaches the bound node, which holds the player.
      for (let i = 0; i < 4; i++) expect((await ada.call.work({})).node).toBe(entered.node);
      expect((await ada.call.player({})).gold).toBe(START_GOLD + 4 * GOLD_PER_WORK);
      const up = await ada.call.levelUp({});
      expect(up).toMatchObject({ level: 2, gold: START_GOLD + 4 * GOLD_PER_WORK - LEVEL_COST });
      expect(await ada.call.levelUp({})).toMatchObject({ level: 3, gold: 0 }); // level 2 -> 3 costs 200
      await expect(ada.call.levelUp({})).rejects.toMatchObject({ code: 'NOT_ENOUGH_GOLD' });
      await waitFor(async () => (await ada.call.online({})).online === 2, 5000, 'two online');
      bob.close();
      // After the 2 s resume window the session ends and the game node tells the hub.
      await waitFor(
        async () => (await ada.call.online({})).online === 1,
        10_000,
        'bob gone from the hub',
        100,
      );
      expect((await ada.call.online({})).byNode).toEqual({ [entered.node]: 1 });
    } finally {
      for (const c of clients) c.close();
    }
    expect(await p.stop('SIGINT')).toBe(0);
  }, 40_000);

  it('bots: N clients for a while, a progress bar, a summary table, exit 0 (in this process and in workers)', async () => {
    for (const args of [
      ['--clients', '4', '--for', '2s'],
      ['--clients', '4', '--for', '2s', '--target', 'im', '--processes', '2'],
    ]) {
      const p = spawnTs(example('bots'), ['--', ...args]);
      const first = JSON.parse(await p.line(/^\{/)) as ClientEndpoints;
      expect(first.login).toHaveLength(1);
      expect(await p.exited(40_000)).toBe(0);
      const table = p.stdout.join('\n');
      expect(table).toMatch(/\| clients +\| 4 \(0 connected\)/);
      expect(Number(/\| requests +\| (\d+)/.exec(table)?.[1])).toBeGreaterThan(8);
      expect(table).toMatch(/\| errors +\| 0 /);
      expect(table).toMatch(/\| p99 latency +\| [\d.]+ ms/);
      expect(p.stderr.join('\n')).toMatch(/\[#+\.*\] \d+s\/2s +\d+ clients/);
    }
  }, 90_000);
});
