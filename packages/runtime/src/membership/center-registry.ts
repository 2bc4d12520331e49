// The center's registry actor: leases, pushed views (a full view on registration, deltas after), a
// small KV with optional file persistence. It validates what it is sent and never loses the KV.
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Addr } from '@troupe/transport';
import type { ActorContext } from '../actor/context.js';
import { defineActor } from '../actor/define.js';
import type { ActorId } from '../actor/ref.js';
import { KvInputError, RegistrationError } from '../errors.js';
import { MemoryKv } from './memory-kv.js';
import type { KvEvent, MemberRecord } from './provider.js';
import { validateRecord } from './record.js';

/** Name of the registry actor on the center node. */
export const REGISTRY_NAME = 'troupe.registry';

export interface RegistryArgs {
  leaseMs: number;
  /** Removals are held back this long after start, while live nodes re-register. */
  warmupMs: number;
  persistFile?: string;
}

/** A view as pushed to clients: reasons as pairs, so it survives msgpack unchanged. */
export interface WireView {
  members: MemberRecord[];
  reasons: Array<[number, string]>;
  partial: boolean;
  /** The registry's change count this view includes; deltas number on from it. */
  seq: number;
  /** Which run of the registry counts: a restarted registry starts a new epoch. */
  epoch: string;
}

/** One change pushed to clients: records that joined or changed, members that left (with why). */
export interface WireDelta {
  /** The change count after this delta: a client applies it only on top of `seq - 1`. */
  seq: number;
  epoch: string;
  up: MemberRecord[];
  down: Array<[number, string]>;
  partial: boolean;
}

/** What the registry has pushed, for tools and tests: full views versus deltas, and records sent. */
export interface RegistryStats {
  fullViews: number;
  deltas: number;
  recordsSent: number;
}

interface Entry {
  record: MemberRecord;
  expires: number;
  client: ActorId;
}

interface State {
  members: Map<number, Entry>;
  kv: MemoryKv;
  args: RegistryArgs;
  warmUntil: number;
  persistTimer: NodeJS.Timeout | undefined;
  seq: number;
  epoch: string;
  stats: RegistryStats;
}

function loadKv(file: string | undefined): MemoryKv {
  if (file === undefined) return new MemoryKv();
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { kv?: Record<string, string> };
    return new MemoryKv(data.kv ?? {});
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new MemoryKv();
    throw err;
  }
}

function persistNow(state: State): void {
  const file = state.args.persistFile;
  if (file === undefined) return;
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify({ kv: state.kv.toJSON() }));
  renameSync(tmp, file);
}

function schedulePersist(state: State, ctx: ActorContext): void {
  if (state.args.persistFile === undefined || state.persistTimer !== undefined) return;
  state.persistTimer = ctx.timers.setTimeout(() => {
    state.persistTimer = undefined;
    persistNow(state);
  }, 20);
}

function view(state: State, reasons: Array<[number, string]>): WireView {
  return {
    members: [...state.members.values()].map((e) => e.record),
    reasons,
    partial: Date.now() < state.warmUntil,
    seq: state.seq,
    epoch: state.epoch,
  };
}

/**
 * Tells every registered client, except `skip`; a client it cannot reach (another group before a
 * harbor is up, a link refusing) is logged and skipped, never failing the change that caused the push.
 */
function tellAll(state: State, ctx: ActorContext, handler: string, msg: unknown, skip?: number): number {
  let sent = 0;
  for (const e of state.members.values()) {
    if (e.record.addr === skip) continue;
    try {
      ctx.node.ref(e.client).tell(handler, msg);
      sent++;
    } catch (err) {
      ctx.log.debug({ err, member: Addr.format(e.record.addr) }, 'push not sent');
    }
  }
  return sent;
}

/** Pushes the full view (at the end of the warm-up, when absent members become authoritative). */
function broadcast(state: State, ctx: ActorContext): void {
  const v = view(state, []);
  const sent = tellAll(state, ctx, 'view', v);
  state.stats.fullViews += sent;
  state.stats.recordsSent += sent * v.members.length;
}

/** Pushes one change; `skip` is a registrant that gets the full view in its reply instead. */
function pushDelta(
  state: State,
  ctx: ActorContext,
  up: MemberRecord[],
  down: Array<[number, string]>,
  skip?: number,
): void {
  state.seq++;
  const d: WireDelta = {
    seq: state.seq,
    epoch: state.epoch,
    up,
    down,
    partial: Date.now() < state.warmUntil,
  };
  const sent = tellAll(state, ctx, 'delta', d, skip);
  state.stats.deltas += sent;
  state.stats.recordsSent += sent * up.length;
}

function remove(state: State, ctx: ActorContext, addr: number, reason: string): void {
  const e = state.members.get(addr);
  if (e === undefined) return;
  state.members.delete(addr);
  ctx.unwatch(e.client);
  ctx.log.info({ member: Addr.format(addr as Addr), reason }, 'member removed');
  pushDelta(state, ctx, [], [[addr, reason]]);
}

function pushKv(state: State, ctx: ActorContext, event: KvEvent): void {
  tellAll(state, ctx, 'kv', event);
  schedulePersist(state, ctx);
}

const MAX_KEY = 1024;
const MAX_VALUE = 1024 * 1024;

/** Throws `KvInputError` for a key the store refuses. */
export function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY)
    throw new KvInputError(`kv key must be a string of 1..${MAX_KEY} characters`);
  return key;
}

/** Throws `KvInputError` for a value the store refuses. */
export function checkValue(value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_VALUE)
    throw new KvInputError(`kv value must be a string of at most ${MAX_VALUE} characters`);
  return value;
}

function checkClient(value: unknown, addr: number): ActorId {
  const c = value as Partial<ActorId> | null;
  if (typeof c !== 'object' || c === null || typeof c.name !== 'string' || c.name === '' || c.node !== addr)
    throw new RegistrationError('the client actor must live on the registering node');
  return { node: c.node, name: c.name };
}

function checkLease(req: unknown): { addr: number; incarnation: string } | undefined {
  const r = req as { addr?: unknown; incarnation?: unknown } | null;
  if (typeof r !== 'object' || r === null) return undefined;
  if (typeof r.addr !== 'number' || typeof r.incarnation !== 'string') return undefined;
  return { addr: r.addr, incarnation: r.incarnation };
}

export const Registry = defineActor({
  init: (args: RegistryArgs, ctx): State => {
    const state: State = {
      members: new Map(),
      kv: loadKv(args.persistFile),
      args,
      warmUntil: Date.now() + args.warmupMs,
      persistTimer: undefined,
      seq: 0,
      epoch: randomUUID(),
      stats: { fullViews: 0, deltas: 0, recordsSent: 0 },
    };
    ctx.timers.setInterval(
      () => {
        const now = Date.now();
        for (const [addr, e] of state.members) if (e.expires < now) remove(state, ctx, addr, 'lease expired');
      },
      Math.max(10, Math.floor(args.leaseMs / 4)),
    );
    if (args.warmupMs > 0) ctx.timers.setTimeout(() => broadcast(state, ctx), args.warmupMs);
    return state;
  },
  handlers: {
    register(state, req: { record: MemberRecord; client: ActorId }, ctx) {
      const record = validateRecord(req?.record);
      const client = checkClient(req.client, record.addr);
      const held = state.members.get(record.addr);
      if (
        held !== undefined &&
        held.record.incarnation !== record.incarnation &&
        held.expires >= Date.now()
      ) {
        throw new RegistrationError(
          `address ${Addr.format(record.addr)} is held by a live node (incarnation ${held.record.incarnation})`,
        );
      }
      if (held !== undefined) ctx.unwatch(held.client);
      state.members.set(record.addr, { record, expires: Date.now() + state.args.leaseMs, client });
      ctx.watch(client);
      ctx.log.info(
        { member: Addr.format(record.addr), incarnation: record.incarnation },
        'member registered',
      );
      pushDelta(state, ctx, [record], [], record.addr);
      const v = view(state, []);
      state.stats.fullViews++;
      state.stats.recordsSent += v.members.length;
      return { view: v, kv: state.kv.entries(), leaseMs: state.args.leaseMs };
    },
    renew(state, req: { addr: number; incarnation: string }) {
      const lease = checkLease(req);
      const e = lease === undefined ? undefined : state.members.get(lease.addr);
      if (e === undefined || e.record.incarnation !== lease?.incarnation) return false;
      e.expires = Date.now() + state.args.leaseMs;
      return true;
    },
    update(state, raw: MemberRecord, ctx) {
      const record = validateRecord(raw);
      const e = state.members.get(record.addr);
      if (e === undefined || e.record.incarnation !== record.incarnation) return false;
      e.record = record;
      e.expires = Date.now() + state.args.leaseMs;
      pushDelta(state, ctx, [record], []);
      return true;
    },
    deregister(state, req: { addr: number; incarnation: string }, ctx) {
      const lease = checkLease(req);
      const e = lease === undefined ? undefined : state.members.get(lease.addr);
      if (lease === undefined || e === undefined || e.record.incarnation !== lease.incarnation) return false;
      remove(state, ctx, lease.addr, 'deregistered');
      return true;
    },
    /** The full current view, for a client that missed a delta. */
    view(state) {
      return view(state, []);
    },
    stats(state): RegistryStats {
      return { ...state.stats };
    },
    kvGet(state, key: string) {
      return state.kv.entries(checkKey(key)).find((e) => e.key === key)?.value ?? null;
    },
    kvList(state, prefix: string) {
      return state.kv.entries(typeof prefix === 'string' ? prefix : '');
    },
    kvPut(state, req: { key: string; value: string }, ctx) {
      if (typeof req !== 'object' || req === null) throw new KvInputError('kv put needs {key, value}');
      const key = checkKey(req.key);
      const value = checkValue(req.value);
      state.kv.putSync(key, value);
      pushKv(state, ctx, { type: 'put', key, value });
    },
    kvDelete(state, key: string, ctx) {
      if (state.kv.deleteSync(checkKey(key))) pushKv(state, ctx, { type: 'delete', key });
    },
  },
  onTerminated(state, t, ctx) {
    for (const [addr, e] of state.members) {
      if (e.client.node === t.ref.node && e.client.name === t.ref.name)
        remove(state, ctx, addr, `connection lost (${t.reason})`);
    }
  },
  onStop(state) {
    persistNow(state);
  },
  // The KV lives in this actor's state: no failure (a timer, a hook) may rebuild it.
  supervision: { policy: 'resume' },
});
