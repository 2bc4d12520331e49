// `pnpm demo [-- --for 30s] [--clients N]`: the im and game clusters from their configs (each with its
// embedded center), the web chat page, a dashboard per cluster, and bots chatting and playing; prints
// the URLs, then a live one-line summary, until Ctrl-C or the `--for` time, then a summary and exit 0.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  createLogger,
  loadConfig,
  membershipFor,
  parseDuration,
  type RunningCluster,
  resolveSecret,
  startCluster,
} from '@troupe/cli';
import { type Dashboard, startDashboard } from '@troupe/dashboard';
import { runBots } from './bots/run-bots.js';
import { summaryTable } from './bots/stats.js';
import { startWeb } from './im/web.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--')),
  options: { for: { type: 'string' }, clients: { type: 'string', default: '12' } },
});
const durationMs = values.for === undefined ? undefined : parseDuration(values.for, 'for');
const clients = Number(values.clients);
/** Bots per cluster: half chat on im, half play the game. */
const sizes = { im: Math.ceil(clients / 2), game: Math.floor(clients / 2) };
if (!Number.isInteger(clients) || clients < 1)
  throw new Error(`--clients must be a positive integer, got ${values.clients}`);

const log = createLogger({ level: 'warn' });
const began = performance.now();
const clusters: Record<'im' | 'game', RunningCluster> = {} as never;
const dashboards: Dashboard[] = [];
const stopAll = async () => {
  await Promise.allSettled(dashboards.map((d) => d.close()));
  await Promise.allSettled(Object.values(clusters).map((c) => c.stop()));
};

/** A dashboard on an observer node of the cluster. */
async function dashboardFor(cluster: RunningCluster): Promise<Dashboard> {
  const addr = '1.254.1';
  return startDashboard({
    port: 0,
    cluster: {
      addr,
      secret: resolveSecret(cluster.config.secret),
      clusterId: cluster.config.cluster,
      membership: membershipFor(cluster.config, addr, cluster.config.baseDir),
    },
  });
}

let web: Awaited<ReturnType<typeof startWeb>> | undefined;
try {
  for (const name of ['im', 'game'] as const) {
    const config = await loadConfig(fileURLToPath(new URL(`../${name}/cluster.yaml`, import.meta.url)));
    clusters[name] = await startCluster(config, { logger: log });
    dashboards.push(await dashboardFor(clusters[name]));
  }
  web = await startWeb(clusters.im.context('1.3.1').login!);
} catch (err) {
  await web?.close();
  await stopAll();
  throw err;
}

// Listening before the first line: whoever reads it may signal at once.
const stop = new AbortController();
let signals = 0;
const onSignal = () => {
  signals += 1;
  if (signals > 1) process.exit(130); // a second Ctrl-C: at once
  stop.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
const im = clusters.im.clientEndpoints();
const game = clusters.game.clientEndpoints();
console.log(
  JSON.stringify({
    chat: web.url,
    dashboards: { im: dashboards[0]!.url, game: dashboards[1]!.url },
    im,
    game,
  }),
);
console.log(
  `Troupe demo: ${clusters.im.nodes().length + clusters.game.nodes().length} nodes in two clusters up in ${Math.round(performance.now() - began)} ms`,
);
console.log(`  chat page       ${web.url}  (open it in two tabs, log in as 1 and 2, password im-demo)`);
console.log(`  im dashboard    ${dashboards[0]!.url}`);
console.log(`  game dashboard  ${dashboards[1]!.url}`);
console.log(`  im gateways     ${im.gateways.map((g) => g.ws).join('  ')}`);
console.log(`  game gateways   ${game.gateways.map((g) => g.ws).join('  ')}`);
console.log(
  `  bots            ${sizes.im} chatting, ${sizes.game} playing; ${durationMs ? `for ${values.for}` : 'Ctrl-C stops'}`,
);

/** Sessions on every gateway of both clusters, and frames the gateways received so far. */
function gatewayTotals(): { sessions: number; framesIn: number } {
  let sessions = 0;
  let framesIn = 0;
  for (const c of Object.values(clusters))
    for (const e of c.clientEndpoints().gateways) {
      const s = c.context(e.addr).gateway!.stats();
      sessions += s.sessions;
      framesIn += s.framesIn;
    }
  return { sessions, framesIn };
}

let last = { at: performance.now(), frames: gatewayTotals().framesIn };
const ticker = setInterval(() => {
  const now = performance.now();
  const { sessions, framesIn } = gatewayTotals();
  const rate = ((framesIn - last.frames) * 1000) / (now - last.at);
  last = { at: now, frames: framesIn };
  const nodes = clusters.im.nodes().length + clusters.game.nodes().length;
  const line = `${Math.round((now - began) / 1000)}s  nodes ${nodes}  sessions ${sessions}  msgs/s ${rate.toFixed(0)}`;
  process.stderr.write(process.stderr.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
}, 1000);

// Without --for the bots run until Ctrl-C: the longest delay a Node timer takes (about 24.8 days).
const forever = 2 ** 31 - 1;
const targets = ['im', 'game'] as const;
const logins = { im: im.login[0]!, game: game.login[0]! };
const runs = await Promise.all(
  targets.map((target) =>
    runBots({
      target,
      login: logins[target],
      clients: sizes[target],
      durationMs: durationMs ?? forever,
      signal: stop.signal,
      thinkMs: 200,
    }),
  ),
);
clearInterval(ticker);
if (process.stderr.isTTY) process.stderr.write('\n');
targets.forEach((target, k) => {
  console.log(summaryTable(runs[k]!.counts, runs[k]!.elapsedMs, sizes[target], target));
});
await web.close();
await stopAll();
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
console.log('demo stopped');
