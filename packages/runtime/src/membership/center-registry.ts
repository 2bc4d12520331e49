// The center's registry actor: leases, pushed views, a small KV with optional file persistence.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Addr } from '@troupe/transport';
import type { ActorContext } from '../actor/context.js';
import { defineActor } from '../actor/define.js';
import type { ActorId } from '../actor/ref.js';
import { RegistrationError } from '../errors.js';
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
  };
}

function broadcast(state: State, ctx: ActorContext, reasons: Array<[number, string]> = []): void {
  const v = view(state, reasons);
  for (const e of state.members.values()) ctx.node.ref(e.client).tell('view', v);
}

function remove(state: State, ctx: ActorContext, addr: number, reason: string): void {
  const e = state.members.get(addr);
  if (e === undefined) return;
  state.members.delete(addr);
  ctx.unwatch(e.client);
  ctx.log.info({ member: Addr.format(addr as Addr), reason }, 'member removed');
  broadcast(state, ctx, [[addr, reason]]);
}

function pushKv(state: State, ctx: ActorContext, event: KvEvent): void {
  for (const e of state.members.values()) ctx.node.ref(e.client).tell('kv', event);
  schedulePersist(state, ctx);
}

function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 1024)
    throw new TypeError('kv key must be a non-empty string');
  return key;
}

export const Registry = defineActor({
  init: (args: RegistryArgs, ctx): State => {
    const state: State = {
      members: new Map(),
      kv: loadKv(args.persistFile),
      args,
      warmUntil: Date.now() + args.warmupMs,
      persistTimer: undefined,
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
      const client = req.client;
      if (typeof client?.name !== 'string' || client.node !== record.addr) {
        throw new RegistrationError('the client actor must live on the registering node');
      }
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
      broadcast(state, ctx);
      return { view: view(state, []), kv: state.kv.entries(), leaseMs: state.args.leaseMs };
    },
    renew(state, req: { addr: number; incarnation: string }) {
      const e = state.members.get(req?.addr);
      if (e === undefined || e.record.incarnation !== req.incarnation) return false;
      e.expires = Date.now() + state.args.leaseMs;
      return true;
    },
    update(state, raw: MemberRecord, ctx) {
      const record = validateRecord(raw);
      const e = state.members.get(record.addr);
      if (e === undefined || e.record.incarnation !== record.incarnation) return false;
      e.record = record;
      e.expires = Date.now() + state.args.leaseMs;
      broadcast(state, ctx);
      return true;
    },
    deregister(state, req: { addr: number; incarnation: string }, ctx) {
      const e = state.members.get(req?.addr);
      if (e === undefined || e.record.incarnation !== req.incarnation) return false;
      remove(state, ctx, req.addr, 'deregistered');
      return true;
    },
    kvGet(state, key: string) {
      return state.kv.entries(checkKey(key)).find((e) => e.key === key)?.value ?? null;
    },
    kvList(state, prefix: string) {
      return state.kv.entries(typeof prefix === 'string' ? prefix : '');
    },
    kvPut(state, req: { key: string; value: string }, ctx) {
      const key = checkKey(req?.key);
      if (typeof req.value !== 'string') throw new TypeError('kv value must be a string');
      state.kv.putSync(key, req.value);
      pushKv(state, ctx, { type: 'put', key, value: req.value });
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
});
