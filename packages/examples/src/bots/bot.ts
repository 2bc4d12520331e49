// One simulated client: logs in over HTTP, connects with its ticket, then plays (game) or chats (im).
import { type Client, connect } from '@troupe/client';
import { GameProtocol, LEVEL_COST } from '../game/protocol.js';
import { Cmd, ImProtocol } from '../im/protocol.js';
import type { BotCounts } from './stats.js';

/** What a bot drives. */
export type BotTarget = 'game' | 'im';

/** Options of one bot. */
export interface BotOptions {
  target: BotTarget;
  /** The login service's base URL (`POST <login>/login`). */
  login: string;
  /** Bot number: its user name or id. */
  index: number;
  /** Pause between two requests. */
  thinkMs: number;
  /** How many bots run (im bots write to each other). */
  population: number;
  signal: AbortSignal;
  counts: BotCounts;
}

function credentials(o: BotOptions): unknown {
  return o.target === 'game'
    ? { name: `bot-${o.index}`, password: 'game-demo' }
    : { userid: 100_000 + o.index, password: 'im-demo' };
}

async function timed<T>(counts: BotCounts, work: () => Promise<T>): Promise<T | undefined> {
  const began = performance.now();
  try {
    const value = await work();
    counts.latenciesMs.push(performance.now() - began);
    return value;
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'ERROR';
    counts.errors[code] = (counts.errors[code] ?? 0) + 1;
    return undefined;
  } finally {
    counts.requests += 1;
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Runs one bot until `signal` aborts; counts go into `options.counts`. */
export async function runBot(options: BotOptions): Promise<void> {
  const { counts, signal } = options;
  const answer = await timed(counts, async () => {
    const res = await fetch(new URL('/login', options.login), {
      method: 'POST',
      body: JSON.stringify(credentials(options)),
      signal,
    });
    const body = (await res.json()) as { ws: string; ticket: string; code?: string };
    if (!res.ok) throw Object.assign(new Error('login refused'), { code: body.code ?? 'LOGIN_REFUSED' });
    return body;
  });
  if (answer === undefined || signal.aborted) return;
  const protocol = options.target === 'game' ? GameProtocol : ImProtocol;
  const client = (await timed(counts, () => connect(answer.ws, { protocol, ticket: answer.ticket }))) as
    | Client<typeof protocol>
    | undefined;
  if (client === undefined) return;
  counts.connected += 1;
  client.on('state', (s) => {
    if (s.state === 'reconnecting') counts.reconnects += 1;
  });
  try {
    if (options.target === 'game') await playGame(client as Client<typeof GameProtocol>, options);
    else await chat(client as Client<typeof ImProtocol>, options);
  } finally {
    counts.connected -= 1;
    client.close();
  }
}

async function playGame(client: Client<typeof GameProtocol>, o: BotOptions): Promise<void> {
  let me = await timed(o.counts, () => client.call.enter({}));
  for (let turn = 0; !o.signal.aborted; turn++) {
    // Work for gold, and level up whenever the gold covers it (cost: level * LEVEL_COST).
    const rich = me !== undefined && me.gold >= me.level * LEVEL_COST;
    me = (await timed(o.counts, () => (rich ? client.call.levelUp({}) : client.call.work({})))) ?? me;
    if (turn % 10 === 9) await timed(o.counts, () => client.call.online({}));
    await pause(o.thinkMs, o.signal);
  }
}

async function chat(client: Client<typeof ImProtocol>, o: BotOptions): Promise<void> {
  await timed(o.counts, () => client.call.sync({}));
  const room = 1 + (o.index % 5);
  await timed(o.counts, () => client.call.join({ dstid: room }));
  for (let turn = 0; !o.signal.aborted; turn++) {
    const content = `bot ${o.index} says ${turn}`;
    if (turn % 4 === 3)
      await timed(o.counts, () => client.call.room({ cmd: Cmd.Room, dstid: room, media: 1, content }));
    else {
      const peer = 100_000 + ((o.index + 1 + turn) % Math.max(o.population, 1));
      await timed(o.counts, () => client.call.single({ cmd: Cmd.Single, dstid: peer, media: 1, content }));
    }
    await pause(o.thinkMs, o.signal);
  }
}
