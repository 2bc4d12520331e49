// `pnpm demo`: a small Troupe cluster in one process — nodes on real loopback TCP links doing typed calls.
import { Addr } from '@troupe/runtime';
import { createTestCluster } from '@troupe/runtime/testing';
import { Player, Profiles, Room } from './services.js';

const say = (line: string) => console.log(line);

const cluster = await createTestCluster({ nodes: ['1.1.1', '1.2.1', '1.3.1'] });
try {
  const gate = cluster.node('1.1.1');
  const profileNode = cluster.node('1.2.1');
  const chatNode = cluster.node('1.3.1');
  for (const n of cluster.nodes()) say(`node ${Addr.format(n.addr)} listening on 127.0.0.1:${n.port}`);

  profileNode.spawn(Profiles, { name: 'profiles' });
  chatNode.spawn(Room, { name: 'lobby', args: { topic: 'lobby' } });

  const profiles = gate.ref<typeof Profiles>('1.2.1', 'profiles');
  const lobby = gate.ref<typeof Room>('1.3.1', 'lobby');
  const players = ['ada', 'bob', 'cy'].map((id) =>
    gate.spawn(Player, { name: `player-${id}`, args: { id } }),
  );

  for (const p of players) {
    const n = await profiles.call.register({ id: p.name, name: p.name.replace('player-', '') });
    say(`1.1.1 -> 1.2.1 profiles.register(${p.name}) = ${n} players`);
    await lobby.call.join(p.toJSON());
  }
  say(`1.1.1 -> 1.2.1 profiles.levelUp(player-ada) = level ${await profiles.call.levelUp('player-ada')}`);
  say(`1.1.1 -> 1.3.1 lobby.say = ${await lobby.call.say({ from: 'ada', text: 'gg' })} lines`);
  await lobby.call.say({ from: 'bob', text: 'rematch?' });

  const err = await profiles.call.levelUp('nobody').catch((e: Error) => e);
  say(`1.1.1 -> 1.2.1 profiles.levelUp(nobody) rejected: ${(err as Error).name} ${(err as Error).message}`);

  const started = process.hrtime.bigint();
  const rounds = 2000;
  for (let i = 0; i < rounds; i++) await profiles.call.get('player-ada');
  const us = Number(process.hrtime.bigint() - started) / 1000 / rounds;
  say(`${rounds} sequential remote calls: ${us.toFixed(1)} µs per round trip`);

  for (const p of players) {
    const lines = await p.call.transcript();
    say(`${p.name} heard ${lines.length} lines: ${lines.join(' | ')}`);
  }
} finally {
  await cluster.close();
  say('cluster stopped');
}
