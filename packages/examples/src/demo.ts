// `pnpm demo`: two Troupe clusters in one process, joined by harbors, on real loopback TCP links.
// Group 1 runs the gate and the chat room; group 2 runs the profile service. Calls between the
// groups go node -> harbor 1.255.1 -> harbor 2.255.1 -> node, typed end to end. An observer node
// (1.9.1) serves the live dashboard; a gateway (1.5.1) holds three bot sessions answered by the
// echo backend (1.4.1). `pnpm demo --keep` leaves everything running to watch it.
import { connect } from '@troupe/client';
import { startDashboard } from '@troupe/dashboard';
import { gateway, gatewayBackend } from '@troupe/gateway';
import { Addr, HARBOR_ACTOR, type HarborStats } from '@troupe/runtime';
import { createTestCluster } from '@troupe/runtime/testing';
import { EchoService, echoRoutes } from './gateway-echo-service.js';
import { Player, Profiles, Room } from './services.js';

const say = (line: string) => console.log(line);
const keep = process.argv.includes('--keep');
// The echo service runs on type 4 here: type 2 is the profile service's.
const ECHO_TYPE = 4;
// Routes from code only: the demo's KV holds other things under `routes/`.
const clientGateway = gateway({
  routes: echoRoutes.map((r) => ({ ...r, service: ECHO_TYPE })),
  kvRoutes: false,
});
const backend = gatewayBackend();

const cluster = await createTestCluster({
  membership: 'center',
  center: '1.100.1',
  nodes: ['1.100.1', '1.1.1', '1.255.1', '1.3.1', '2.255.1', '2.2.1', '1.5.1', '1.4.1', '1.9.1'],
  perNode: {
    '2.2.1': { export: true },
    '1.5.1': { extensions: [clientGateway] },
    '1.4.1': { extensions: [backend] },
    '1.9.1': { observer: true },
  },
});
const dashboard = await startDashboard({ node: cluster.node('1.9.1'), port: 0 });
const bots: Array<Awaited<ReturnType<typeof connect>>> = [];
try {
  for (const n of cluster.nodes()) {
    const role = n.observer
      ? 'observer'
      : n.addr === Addr.parse('1.5.1')
        ? 'gateway'
        : Addr.isHarbor(n.addr)
          ? 'harbor'
          : n.addr === Addr.parse('1.100.1')
            ? 'center'
            : n.addr === Addr.parse('1.1.1')
              ? 'gate'
              : 'service';
    say(`node ${Addr.format(n.addr).padEnd(8)} ${role.padEnd(13)} 127.0.0.1:${n.port}`);
  }
  say(`dashboard ${dashboard.url}`);
  cluster.node('1.4.1').spawn(EchoService, { name: 'service', args: { backend } });
  const wsUrl = clientGateway.addresses().ws!;
  for (let i = 0; i < 3; i++) bots.push(await connect(wsUrl));
  const hi = new TextEncoder().encode('hi');
  for (const bot of bots) await bot.request(1, hi); // the echo route (raw bytes)
  say(`gateway 1.5.1: ${bots.length} bot sessions on ${wsUrl}, each echoed once`);
  const gate = cluster.node('1.1.1');
  cluster.node('2.2.1').spawn(Profiles, { name: 'profiles' });
  cluster.node('1.3.1').spawn(Room, { name: 'lobby', args: { topic: 'lobby' } });

  // The gate finds the profile service by type through membership: group 2 exports it.
  const profileNode = gate.pick(2, 'leastLoad');
  say(
    `gate picked profile node ${Addr.format(profileNode.addr)} (group ${Addr.group(profileNode.addr)}, exported)`,
  );
  const profiles = gate.ref<typeof Profiles>(profileNode.addr, 'profiles');
  const lobby = gate.ref<typeof Room>('1.3.1', 'lobby');
  const players = ['ada', 'bob', 'cy'].map((id) =>
    gate.spawn(Player, { name: `player-${id}`, args: { id } }),
  );

  for (const p of players) {
    const n = await profiles.call.register({ id: p.name, name: p.name.replace('player-', '') });
    say(`1.1.1 -> 2.2.1 (via harbors) profiles.register(${p.name}) = ${n} players`);
    await lobby.call.join(p.toJSON());
  }
  say(`1.1.1 -> 2.2.1 profiles.levelUp(player-ada) = level ${await profiles.call.levelUp('player-ada')}`);
  say(`1.1.1 -> 1.3.1 lobby.say = ${await lobby.call.say({ from: 'ada', text: 'gg' })} lines`);
  await lobby.call.say({ from: 'bob', text: 'rematch?' });

  const err = await profiles.call.levelUp('nobody').catch((e: Error) => e);
  say(`1.1.1 -> 2.2.1 profiles.levelUp(nobody) rejected: ${(err as Error).name} ${(err as Error).message}`);
  const lost = await gate
    .ref<typeof Profiles>('7.2.1', 'profiles')
    .call.get('x')
    .catch((e: Error) => e);
  say(`1.1.1 -> 7.2.1 (no such cluster) rejected: ${(lost as Error).name}: ${(lost as Error).message}`);

  await gate.membership.kv.put('routes/profile', JSON.stringify({ type: 2 }));
  say(`center KV routes/profile = ${await cluster.node('1.3.1').membership.kv.get('routes/profile')}`);

  const rounds = 2000;
  for (const [label, target] of [
    ['same group ', lobby],
    ['cross group', profiles],
  ] as const) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) await target.ask('ping');
    const us = Number(process.hrtime.bigint() - started) / 1000 / rounds;
    say(`${rounds} sequential ${label} calls: ${us.toFixed(1)} µs per round trip`);
  }

  for (const p of players) {
    const lines = await p.call.transcript();
    say(`${p.name} heard ${lines.length} lines: ${lines.join(' | ')}`);
  }
  for (const h of ['1.255.1', '2.255.1']) {
    const node = cluster.node(h);
    const stats = (await node.ref({ node: node.addr, name: HARBOR_ACTOR }).ask('stats')) as HarborStats;
    say(`harbor ${h}: ${stats.framesForwarded} frames, ${stats.bytesForwarded} bytes forwarded`);
  }
  if (keep) {
    say('running until Ctrl-C: the lobby chats, profiles level up, bots echo; watch it on the dashboard');
    let n = 0;
    const traffic = setInterval(() => {
      lobby.cast.say({ from: 'bot', text: `line ${n++}` });
      profiles.call.levelUp('player-bob').catch(() => {});
      for (const bot of bots) bot.request(1, hi).catch(() => {});
    }, 50);
    await new Promise((resolve) => process.once('SIGINT', resolve));
    clearInterval(traffic);
  }
} finally {
  for (const bot of bots) bot.close();
  await dashboard.close();
  await cluster.close();
  say('clusters stopped');
}
