// The etcd membership provider against a real etcd process.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KvEvent, MemberRecord, MembershipView } from '@troupe/runtime';
import { RegistrationError } from '@troupe/runtime';
import { Addr, OptionError } from '@troupe/transport';
import { Etcd3 } from 'etcd3';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EtcdMembership, type EtcdMembershipOptions } from './etcd.js';
import { type EtcdServer, etcdAvailable, startEtcd } from './testing/etcd-server.js';

const LEASE_TTL_SEC = 2;
const haveEtcd = etcdAvailable();
// In CI a missing etcd is a failure (startEtcd throws EtcdNotInstalledError); locally the suite is skipped.
const skip = !haveEtcd && !process.env.CI;
if (skip)
  console.warn('etcd is not installed: skipping the etcd membership tests (apt-get install etcd-server)');

/** Resolves when a predicate over the latest value holds; rejects after `ms`. Woken by `push`. */
class Latest<T> {
  readonly all: T[] = [];
  private readonly waiters = new Set<() => void>();

  get last(): T | undefined {
    return this.all[this.all.length - 1];
  }

  push = (value: T): void => {
    this.all.push(value);
    for (const wake of [...this.waiters]) wake();
  };

  until(pred: (value: T) => boolean, ms: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const value = this.last;
        if (value !== undefined && pred(value)) {
          finish();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; last: ${describeValue(this.last)}`));
      }, ms);
      const finish = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}

function describeValue(value: unknown): string {
  if (value && typeof value === 'object' && 'members' in value) {
    const view = value as MembershipView;
    return JSON.stringify({
      members: view.members.map((m) => Addr.format(m.addr)),
      reasons: view.reasons ? [...view.reasons].map(([a, r]) => `${Addr.format(a)}: ${r}`) : undefined,
    });
  }
  return JSON.stringify(value);
}

let seq = 0;
function record(addr: string, over: Partial<MemberRecord> = {}): MemberRecord {
  seq++;
  return {
    addr: Addr.parse(addr),
    host: '127.0.0.1',
    port: 7000 + seq,
    export: false,
    available: true,
    load: 0,
    incarnation: `${Date.now()}-${seq}`,
    meta: {},
    ...over,
  };
}

const has = (view: MembershipView, addr: string) => view.members.some((m) => m.addr === Addr.parse(addr));
const member = (view: MembershipView, addr: string) => view.members.find((m) => m.addr === Addr.parse(addr));

describe.skipIf(skip)('EtcdMembership against a real etcd', () => {
  let etcd: EtcdServer;
  let raw: Etcd3;
  const providers: EtcdMembership[] = [];
  let clusterId = '';

  beforeAll(async () => {
    etcd = await startEtcd();
    raw = new Etcd3({ hosts: etcd.endpoint });
    // etcd's 64-bit lease ids survive only when protobufjs loads the `long` package; a Node started with
    // `--conditions import` hands its CommonJS `require('long')` the ES module build, and the ids get rounded.
    const lease = raw.lease(5, { autoKeepAlive: false });
    const id = await lease.grant();
    const { TTL } = await raw.leaseClient.leaseTimeToLive({ ID: id });
    await lease.revoke().catch(() => undefined);
    if (Number(TTL) <= 0) {
      throw new Error(
        `etcd lease ids lose precision in this process (lease ${id} not found); is vitest passing ` +
          `--conditions import to Node (ssr.resolve.conditions in vitest.config.ts)?`,
      );
    }
  });

  afterAll(async () => {
    raw?.close();
    await etcd?.stop();
  });

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.stop()));
  });

  /** A provider on this test's own prefix, stopped after the test. */
  function provider(over: Partial<EtcdMembershipOptions> = {}): EtcdMembership {
    const p = new EtcdMembership({
      endpoints: [etcd.endpoint],
      clusterId,
      leaseTtlSec: LEASE_TTL_SEC,
      ...over,
    });
    providers.push(p);
    return p;
  }

  async function started(addr: string, over: Partial<EtcdMembershipOptions> = {}, rec = record(addr)) {
    const p = provider(over);
    const views = new Latest<MembershipView>();
    await p.start(rec, views.push);
    return { p, views, rec };
  }

  let testNo = 0;
  const prefix = () => `/troupe/${clusterId}/`;
  beforeEach(() => {
    clusterId = `t${process.pid}-${++testNo}`;
  });

  it('delivers the first view before start resolves, and two providers see each other', async () => {
    const a = await started('1.1.1');
    expect(a.views.all).toHaveLength(1);
    expect(a.views.last!.members).toEqual([a.rec]);
    const b = await started('1.2.1');
    expect(b.views.last!.members.map((m) => m.addr)).toEqual([Addr.parse('1.1.1'), Addr.parse('1.2.1')]);
    const view = await a.views.until((v) => has(v, '1.2.1'), 3000, 'a to see b');
    expect(member(view, '1.2.1')).toEqual(b.rec);
    expect(view.reasons).toBeUndefined();
  });

  it('stores the record as JSON with addr as the number', async () => {
    const a = await started('3.4.5');
    const stored = await raw.get(`${prefix()}members/3.4.5`).json();
    expect(stored).toEqual({ ...a.rec, addr: Addr.make(3, 4, 5) });
  });

  it('propagates update() as a changed record', async () => {
    const a = await started('1.1.1');
    const b = await started('1.2.1');
    await a.views.until((v) => has(v, '1.2.1'), 3000, 'a to see b');
    const changed = { ...b.rec, load: 42, available: false, meta: { zone: 'eu' } };
    await b.p.update(changed);
    const view = await a.views.until((v) => member(v, '1.2.1')?.load === 42, 3000, 'the new load');
    expect(member(view, '1.2.1')).toEqual(changed);
    await expect(b.p.update({ ...changed, incarnation: 'other' })).rejects.toBeInstanceOf(RegistrationError);
  });

  it('stop() removes the member with the reason deregistered', async () => {
    const a = await started('1.1.1');
    const b = await started('1.2.1');
    await a.views.until((v) => has(v, '1.2.1'), 3000, 'a to see b');
    const gone = a.views.until((v) => !has(v, '1.2.1'), 3000, 'b to leave');
    await b.p.stop();
    await b.p.stop(); // idempotent
    const view = await gone;
    expect(view.reasons?.get(Addr.parse('1.2.1'))).toBe('deregistered');
    expect(await raw.get(`${prefix()}members/1.2.1`).string()).toBeNull();
    await expect(b.p.update(b.rec)).rejects.toThrow(/closed/);
  });

  it('a killed provider (no keepalive, no revoke) leaves within leaseTtl + 1.5 s with reason lease expired', async () => {
    const a = await started('1.1.1');
    const b = await started('1.2.1');
    await a.views.until((v) => has(v, '1.2.1'), 3000, 'a to see b');
    const gone = a.views.until(
      (v) => !has(v, '1.2.1'),
      LEASE_TTL_SEC * 1000 + 1500,
      'the killed b to expire',
    );
    const t0 = Date.now();
    await b.p.kill();
    const view = await gone;
    expect(view.reasons?.get(Addr.parse('1.2.1'))).toBe('lease expired');
    expect(Date.now() - t0).toBeLessThanOrEqual(LEASE_TTL_SEC * 1000 + 1500);
  });

  it('refuses an address held by a live node with another incarnation, leaving the holder untouched', async () => {
    const a = await started('1.1.1');
    const before = await raw.get(`${prefix()}members/1.1.1`).exec();
    const intruder = provider();
    const err = await intruder.start(record('1.1.1'), () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistrationError);
    expect((err as Error).message).toMatch(/1\.1\.1 is held by a live node/);
    const after = await raw.get(`${prefix()}members/1.1.1`).exec();
    expect(after.kvs[0]?.mod_revision).toBe(before.kvs[0]?.mod_revision);
    expect(after.kvs[0]?.lease).toBe(before.kvs[0]?.lease);
    expect(a.views.last!.members).toEqual([a.rec]);
    // The holder keeps working.
    await a.p.update({ ...a.rec, load: 1 });
    await a.views.until((v) => member(v, '1.1.1')?.load === 1, 3000, 'the holder to update');
  });

  it('takes over the address of a killed predecessor once its lease expires', async () => {
    const a = await started('1.1.1');
    const old = await started('1.2.1');
    await a.views.until((v) => has(v, '1.2.1'), 3000, 'a to see the old 1.2.1');
    await old.p.kill();
    const t0 = Date.now();
    const fresh = await started('1.2.1'); // waits for the old record to go, then registers
    expect(Date.now() - t0).toBeLessThan(LEASE_TTL_SEC * 1000 + 1500);
    expect(member(fresh.views.last!, '1.2.1')).toEqual(fresh.rec);
    await a.views.until(
      (v) => member(v, '1.2.1')?.incarnation === fresh.rec.incarnation,
      3000,
      'a to see the new incarnation',
    );
  });

  it('lets exactly one of two nodes racing for an address win', async () => {
    const results = await Promise.allSettled(
      [0, 1].map(() => provider({ takeoverWaitMs: 0 }).start(record('1.1.7'), () => {})),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(RegistrationError);
  });

  it.each([
    ['addr out of range', { addr: 0 as Addr }, /addr/],
    ['addr not a number', { addr: '1.1.1' as unknown as Addr }, /addr/],
    ['empty host', { host: '' }, /host/],
    ['port 0', { port: 0 }, /port/],
    ['port 65536', { port: 65536 }, /port/],
    ['empty incarnation', { incarnation: '' }, /incarnation/],
  ])('rejects a malformed record (%s) with RegistrationError', async (_name, over, message) => {
    const p = provider();
    const err = await p
      .start(record('1.1.1', over as Partial<MemberRecord>), () => {})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistrationError);
    expect((err as Error).message).toMatch(message);
    expect(await raw.getAll().prefix(prefix()).keys()).toEqual([]);
  });

  it('rejects bad options naming the property', () => {
    expect(() => new EtcdMembership({ endpoints: [], clusterId: 'x' })).toThrow(OptionError);
    expect(() => new EtcdMembership({ endpoints: ['e'], clusterId: 'x', leaseTtlSec: 0.5 })).toThrow(
      /leaseTtlSec/,
    );
    expect(() => new EtcdMembership({ endpoints: ['e'], clusterId: 'x', prefix: '/no-slash' })).toThrow(
      /prefix/,
    );
    // Durations Node's timers cannot hold (it would fire them after 1 ms) are refused by name.
    for (const [name, value] of [
      ['resyncMs', 3e9],
      ['retryMs', Number.POSITIVE_INFINITY],
      ['callTimeoutMs', 0],
      ['takeoverWaitMs', -1],
      ['leaseTtlSec', 3e6],
    ] as const) {
      expect(() => new EtcdMembership({ endpoints: ['e'], clusterId: 'x', [name]: value })).toThrow(
        new RegExp(name),
      );
    }
  });

  it('ignores (and warns about) garbage under the members prefix', async () => {
    const logs = new Latest<{ level: number; msg: string; key?: string }>();
    const logger = pino({ level: 'warn' }, { write: (line: string) => logs.push(JSON.parse(line)) });
    await raw.put(`${prefix()}members/1.1.9`).value('not json {');
    await raw
      .put(`${prefix()}members/1.1.8`)
      .value(JSON.stringify({ ...record('1.1.5'), addr: Addr.parse('1.1.5') }));
    await raw.put(`${prefix()}members/junk`).value('{}');
    const a = await started('1.1.1', { logger });
    expect(a.views.last!.members).toEqual([a.rec]);
    expect(logs.all.map((l) => l.key).sort()).toEqual(['1.1.8', '1.1.9', 'junk']);
    // Garbage written while running is ignored too; valid members still come and go.
    await raw.put(`${prefix()}members/1.1.10`).value('[1,2,3]');
    await logs.until((l) => l.key === '1.1.10', 3000, 'a warning about 1.1.10');
    const b = await started('1.2.1');
    const view = await a.views.until((v) => has(v, '1.2.1'), 3000, 'a to see b');
    expect(view.members.map((m) => Addr.format(m.addr))).toEqual(['1.1.1', '1.2.1']);
    expect(b.views.last!.members.map((m) => Addr.format(m.addr))).toEqual(['1.1.1', '1.2.1']);
  });

  it('drops a member whose record is overwritten with garbage', async () => {
    const a = await started('1.1.1');
    await started('1.2.1');
    await a.views.until((v) => has(v, '1.2.1'), 3000, 'a to see b');
    const gone = a.views.until((v) => !has(v, '1.2.1'), 3000, 'the garbled b to leave');
    await raw.put(`${prefix()}members/1.2.1`).value('garbage');
    expect((await gone).reasons?.get(Addr.parse('1.2.1'))).toBe('invalid record');
  });

  it('KV: put, get, list (sorted, by prefix) and delete', async () => {
    const { p } = await started('1.1.1');
    expect(await p.kv.get('routes/1')).toBeUndefined();
    await p.kv.put('routes/2', 'b');
    await p.kv.put('routes/10', 'c');
    await p.kv.put('routes/1', 'a');
    await p.kv.put('other', 'x');
    expect(await p.kv.get('routes/1')).toBe('a');
    expect(await p.kv.list('routes/')).toEqual([
      { key: 'routes/1', value: 'a' },
      { key: 'routes/10', value: 'c' },
      { key: 'routes/2', value: 'b' },
    ]);
    expect((await p.kv.list('')).map((e) => e.key)).toEqual(['other', 'routes/1', 'routes/10', 'routes/2']);
    await p.kv.delete('routes/10');
    expect(await p.kv.get('routes/10')).toBeUndefined();
    expect((await p.kv.list('routes/')).map((e) => e.key)).toEqual(['routes/1', 'routes/2']);
    // The KV lives under <prefix>kv/, apart from the member records.
    expect(await raw.get(`${prefix()}kv/routes/1`).string()).toBe('a');
  });

  it('KV watch: put and delete events under the prefix, none after unsubscribe', async () => {
    const a = await started('1.1.1');
    const b = await started('1.2.1');
    const events = new Latest<KvEvent>();
    const control = new Latest<KvEvent>();
    const unsubscribe = a.p.kv.watch('routes/', events.push);
    const unsubscribeControl = a.p.kv.watch('', control.push);
    await b.p.kv.put('other', 'ignored');
    await b.p.kv.put('routes/1', 'gate');
    await events.until((e) => e.type === 'put' && e.key === 'routes/1', 3000, 'the put');
    expect(events.all).toEqual([{ type: 'put', key: 'routes/1', value: 'gate' }]);
    await b.p.kv.delete('routes/1');
    await events.until((e) => e.type === 'delete', 3000, 'the delete');
    expect(events.all[1]).toEqual({ type: 'delete', key: 'routes/1' });
    unsubscribe();
    await b.p.kv.put('routes/2', 'late');
    await control.until((e) => e.key === 'routes/2', 3000, 'the control watch to see routes/2');
    expect(events.all).toHaveLength(2);
    unsubscribeControl();
  });

  it('resync delivers the right view after changes made while the watch was cancelled', async () => {
    const a = await started('1.1.1', { resyncMs: 200 });
    await a.p.pauseWatch();
    const b = await started('1.2.1');
    const seen = await a.views.until((v) => has(v, '1.2.1'), 3000, 'the resync to add b');
    expect(member(seen, '1.2.1')).toEqual(b.rec);
    await b.p.update({ ...b.rec, load: 7 });
    await a.views.until((v) => member(v, '1.2.1')?.load === 7, 3000, 'the resync to update b');
    await b.p.stop();
    const gone = await a.views.until((v) => !has(v, '1.2.1'), 3000, 'the resync to drop b');
    expect(gone.reasons?.get(Addr.parse('1.2.1'))).toBe('deregistered');
  });

  it('re-grants the lease and re-registers when etcd drops it', async () => {
    const logs = new Latest<{ msg: string }>();
    const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
    const a = await started('1.1.1');
    const b = await started('1.2.1', { logger });
    await a.views.until((v) => has(v, '1.2.1'), 3000, 'a to see b');
    const before = (await raw.get(`${prefix()}members/1.2.1`).exec()).kvs[0]!;
    const gone = a.views.until((v) => !has(v, '1.2.1'), 3000, 'b to go with its lease');
    await raw.leaseClient.leaseRevoke({ ID: before.lease });
    // An update racing the loss neither fails nor gets lost: the re-registration publishes it.
    const updated = { ...b.rec, load: 9 };
    await b.p.update(updated);
    expect((await gone).reasons?.get(Addr.parse('1.2.1'))).toBe('lease expired');
    const back = await a.views.until((v) => member(v, '1.2.1')?.load === 9, 5000, 'b to re-register');
    expect(member(back, '1.2.1')).toEqual(updated);
    const after = (await raw.get(`${prefix()}members/1.2.1`).exec()).kvs[0]!;
    expect(after.lease).not.toBe(before.lease);
    expect(logs.all.some((l) => /lease lost/.test(l.msg))).toBe(true);
    await logs.until((l) => /re-registered/.test(l.msg), 3000, 'the re-registration log');
  });

  it('survives an etcd outage: re-registers once etcd is back', async () => {
    const own = await startEtcd();
    const logs = new Latest<{ msg: string }>();
    const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
    try {
      const a = await started('1.1.1', { endpoints: [own.endpoint], logger, resyncMs: 500, retryMs: 200 });
      own.kill();
      await logs.until((l) => /lease lost/.test(l.msg), LEASE_TTL_SEC * 3000 + 3000, 'the lease to be lost');
      await own.restart();
      await logs.until((l) => /re-registered/.test(l.msg), 15_000, 're-registration');
      const c = await started('1.3.1', { endpoints: [own.endpoint] });
      expect(c.views.last!.members.map((m) => Addr.format(m.addr))).toEqual(['1.1.1', '1.3.1']);
      await a.views.until((v) => has(v, '1.3.1') && has(v, '1.1.1'), 5000, 'a to see c after the outage');
    } finally {
      await Promise.all(providers.splice(0).map((p) => p.stop()));
      await own.stop();
    }
  }, 40_000);

  it('leaves nothing open after stop(): a process that used it exits by itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'troupe-etcd-exit-'));
    try {
      const script = join(dir, 'exit-check.mts');
      const provider = fileURLToPath(new URL('./etcd.ts', import.meta.url));
      await writeFile(
        script,
        `import { EtcdMembership } from ${JSON.stringify(provider)};
const p = new EtcdMembership({ endpoints: [${JSON.stringify(etcd.endpoint)}], clusterId: ${JSON.stringify(clusterId)} });
await p.start({ addr: ${Addr.parse('1.1.1')}, host: 'h', port: 1, export: false, available: true, load: 0,
  incarnation: 'x', meta: {} }, () => {});
const unwatch = p.kv.watch('a/', () => {});
await p.kv.put('a/b', 'c');
unwatch();
await p.stop();
console.log('stopped');
`,
      );
      const started = Date.now();
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@troupe/source', script], {
          cwd: fileURLToPath(new URL('../../..', import.meta.url)),
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
        });
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`the process did not exit within 10 s after stop(); output: ${out}`));
        }, 10_000);
        child.on('exit', (c) => {
          clearTimeout(timer);
          if (!out.includes('stopped')) reject(new Error(`the script failed: ${out}`));
          else resolve(c);
        });
      });
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
