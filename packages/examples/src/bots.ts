// `pnpm example bots -- --clients N --for 30s [--target game|im] [--think 100ms] [--processes K]`:
// starts the game (or im) cluster from its config, drives it with N simulated clients (in worker
// processes when N is large), shows a progress bar, and prints a summary table.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger, loadConfig, parseDuration, startCluster } from '@troupe/cli';
import type { BotTarget } from './bots/bot.js';
import { DEFAULT_THINK_MS, runBots } from './bots/run-bots.js';
import { progressLine, summaryTable } from './bots/stats.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--')),
  options: {
    clients: { type: 'string', default: '20' },
    for: { type: 'string', default: '10s' },
    target: { type: 'string', default: 'game' },
    think: { type: 'string', default: `${DEFAULT_THINK_MS}ms` },
    processes: { type: 'string' },
  },
});
const clients = Number(values.clients);
if (!Number.isInteger(clients) || clients < 1)
  throw new Error(`--clients must be a positive integer, got ${values.clients}`);
if (values.target !== 'game' && values.target !== 'im')
  throw new Error(`--target must be game or im, got ${values.target}`);
const target: BotTarget = values.target;
const durationMs = parseDuration(values.for, 'for');

const config = await loadConfig(fileURLToPath(new URL(`../${target}/cluster.yaml`, import.meta.url)));
const cluster = await startCluster(config, { logger: createLogger({ level: 'warn' }) });
// Listening before the first line: whoever reads it may signal at once.
const stop = new AbortController();
const onSignal = () => stop.abort();
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
const endpoints = cluster.clientEndpoints();
console.log(JSON.stringify(endpoints));
const login = endpoints.login[0];
if (login === undefined) throw new Error(`${target} has no login endpoint`);

let last = { at: 0, requests: 0 };
const { counts, elapsedMs } = await runBots({
  target,
  login,
  clients,
  durationMs,
  thinkMs: parseDuration(values.think, 'think'),
  ...(values.processes !== undefined ? { processes: Number(values.processes) } : {}),
  signal: stop.signal,
  progressMs: process.stderr.isTTY ? 250 : 2000,
  onProgress: (c, elapsed) => {
    const rate = ((c.requests - last.requests) * 1000) / Math.max(1, elapsed - last.at);
    last = { at: elapsed, requests: c.requests };
    const line = progressLine(elapsed, durationMs, c, rate);
    process.stderr.write(process.stderr.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  },
});
if (process.stderr.isTTY) process.stderr.write('\n');
console.log(summaryTable(counts, elapsedMs, clients, target));
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
await cluster.stop();
