// Membership over etcd: registration under a lease, a prefix watch for views, a KV store for configuration.

import type { KvStore, MemberRecord, MembershipProvider, MembershipView } from '@troupe/runtime';
import { RegistrationError, validateRecord } from '@troupe/runtime';
import { Addr, ClosedError } from '@troupe/transport';
import {
  Etcd3,
  EtcdLeaseInvalidError,
  type IKeyValue,
  type IWatchResponse,
  type Lease,
  type Namespace,
  type Watcher,
} from 'etcd3';
import { type Logger, pino } from 'pino';
import { boundedCancel, EtcdKvStore, RevisionClock } from './etcd-kv.js';
import { EtcdMemberSet } from './etcd-members.js';
import { type EtcdMembershipOptions, type Resolved, resolveOptions } from './etcd-options.js';
import { decodeRecord, encodeRecord, KV_DIR, leftKey, MEMBERS_DIR, memberKey } from './etcd-record.js';

export type { EtcdMembershipOptions } from './etcd-options.js';
export {
  DEFAULT_ETCD_CALL_TIMEOUT_MS,
  DEFAULT_ETCD_LEASE_TTL_SEC,
  DEFAULT_ETCD_RESYNC_MS,
  DEFAULT_ETCD_RETRY_MS,
} from './etcd-options.js';

type Phase = 'idle' | 'starting' | 'running' | 'stopped';

/**
 * Membership provider over etcd. Each node puts its record under `<prefix>members/<g.t.p>` attached to
 * a lease it keeps alive; a killed node's record goes when its lease expires. A transaction on the key
 * makes registration exclusive: an address held by a live node with another incarnation is refused.
 * Views come from a watch on the members prefix, checked by a periodic full re-read.
 */
export class EtcdMembership implements MembershipProvider {
  readonly kind = 'etcd';
  readonly kv: KvStore;
  private readonly opts: Resolved;
  private readonly log: Logger;
  private readonly client: Etcd3;
  private readonly membersNs: Namespace;
  private readonly kvStore: EtcdKvStore;
  private readonly clock = new RevisionClock();

  private phase: Phase = 'idle';
  private self: MemberRecord | undefined;
  private onView: ((view: MembershipView) => void) | undefined;
  private lease: Lease | undefined;
  private leaseId: string | undefined;
  /** Serialises writes of our own record (start, update, re-registration, stop). */
  private writes: Promise<unknown> = Promise.resolve();
  private recovering: Promise<void> | undefined;
  private wakeRecovery: (() => void) | undefined;
  private stopping: Promise<void> | undefined;
  /** Ends pending waits (a takeover wait) when the provider stops. */
  private readonly interrupts = new Set<() => void>();

  /** Members as last read or watched. */
  private readonly set: EtcdMemberSet;
  /** Revision of the last full read: watch events at or below it are already in `members`. */
  private snapshotRevision = 0;
  /** Highest revision reflected in `members`, by a read or a watch event; older reads are dropped. */
  private revision = 0;
  private watcher: Watcher | undefined;
  private watchPaused = false;
  private resyncTimer: NodeJS.Timeout | undefined;

  constructor(options: EtcdMembershipOptions) {
    this.opts = resolveOptions(options);
    this.log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'membership.etcd' });
    this.set = new EtcdMemberSet(this.log);
    const callTimeoutMs = this.opts.callTimeoutMs;
    this.client = new Etcd3({
      hosts: this.opts.endpoints,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
    });
    const root = this.client.namespace(this.opts.prefix);
    this.membersNs = root.namespace(MEMBERS_DIR);
    this.kvStore = new EtcdKvStore(
      root.namespace(KV_DIR),
      this.log.child({ part: 'kv' }),
      callTimeoutMs,
      this.clock,
    );
    this.kv = this.kvStore;
  }

  async start(self: MemberRecord, onView: (view: MembershipView) => void): Promise<void> {
    if (this.stopped()) throw new ClosedError('etcd membership provider');
    if (this.phase !== 'idle') throw new RegistrationError('etcd membership provider was already started');
    const record = validateRecord(self);
    this.phase = 'starting';
    this.self = record;
    this.onView = onView;
    try {
      await this.acquireLease();
      await this.serial(() => this.register());
      await this.resync(true);
      this.assertNotStopped();
      this.openWatch();
      this.scheduleResync();
      this.phase = 'running';
      this.log.info({ addr: Addr.format(record.addr), lease: this.leaseId }, 'registered in etcd');
    } catch (err) {
      // A refused or failed start leaves nothing behind: no lease, no watch, no client.
      await this.stop();
      throw err;
    }
  }

  async update(self: MemberRecord): Promise<void> {
    if (this.stopped()) throw new ClosedError('etcd membership provider');
    if (this.phase !== 'running' || !this.self)
      throw new RegistrationError('update() before start() resolved');
    const record = validateRecord(self);
    if (record.addr !== this.self.addr || record.incarnation !== this.self.incarnation) {
      throw new RegistrationError('update() cannot change addr or incarnation; start a new provider');
    }
    this.self = record;
    // While re-registering, the new registration publishes the latest record.
    if (this.recovering) return;
    await this.serial(async () => {
      const lease = this.lease;
      const leaseId = this.leaseId;
      if (!lease || !leaseId || this.stopped()) return;
      const key = memberKey(record.addr);
      try {
        const res = await this.membersNs
          .if(key, 'Lease', '==', leaseId)
          .then(this.membersNs.put(key).value(encodeRecord(record)).lease(leaseId))
          .commit();
        // Our record is gone (deleted by hand, or its lease expired): register again.
        if (!res.succeeded) await this.register();
      } catch (err) {
        if (!(err instanceof EtcdLeaseInvalidError)) throw err;
        // The lease expired before its keepalive noticed: re-registration publishes this record.
        this.onLeaseLost(lease, err);
      }
    });
  }

  /** Deregisters (revokes the lease, so the record goes at once), stops watching, closes the client. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown(true);
    return this.stopping;
  }

  /**
   * Stops keepalives and closes the client without deregistering, as a crashed process would: the
   * record stays until its lease expires. For tests and test clusters.
   */
  kill(): Promise<void> {
    this.stopping ??= this.shutdown(false);
    return this.stopping;
  }

  /**
   * Cancels the member watch, as if its events were lost; views then come only from the periodic
   * re-read. For tests of the resync path.
   * @internal
   */
  async pauseWatch(): Promise<void> {
    this.watchPaused = true;
    const w = this.watcher;
    this.watcher = undefined;
    if (w) await boundedCancel(w, this.opts.callTimeoutMs, this.log);
  }

  // --- registration -----------------------------------------------------------------------------

  private async acquireLease(): Promise<void> {
    const lease = this.client.lease(this.opts.leaseTtlSec);
    let id: string;
    try {
      id = await lease.grant();
    } catch (err) {
      lease.release();
      throw err;
    }
    if (this.stopped()) {
      await lease.revoke().catch(() => undefined);
      throw new ClosedError('etcd membership provider');
    }
    this.lease = lease;
    this.leaseId = id;
    lease.on('lost', (err) => this.onLeaseLost(lease, err));
  }

  /**
   * Puts our record under the current lease unless a live node with another incarnation holds the
   * address. The put is a transaction on the key's state as read, so of two nodes racing for one
   * address exactly one wins; the loser re-reads and is refused. A record of another incarnation
   * that goes within `takeoverWaitMs` (a killed predecessor's lease expiring) is taken over.
   */
  private async register(): Promise<void> {
    const record = this.self!;
    const leaseId = this.leaseId;
    if (!leaseId) throw new ClosedError('etcd lease');
    const key = memberKey(record.addr);
    const value = encodeRecord(record);
    const deadline = Date.now() + this.opts.takeoverWaitMs;
    for (let attempt = 0; attempt < 8; attempt++) {
      const current = (await this.membersNs.get(key).exec()).kvs[0];
      let guard: ReturnType<Namespace['if']>;
      if (!current) {
        guard = this.membersNs.if(key, 'Create', '==', 0);
      } else {
        const held = decodeRecord(key, current.value.toString());
        if (typeof held === 'string') {
          this.log.warn({ key, reason: held }, 'replacing an invalid record at our address');
        } else if (held.incarnation !== record.incarnation) {
          // A record without a lease never expires; one with a lease may be a killed node's.
          if (current.lease !== '0' && (await this.awaitChange(key, current, deadline))) continue;
          throw new RegistrationError(
            `address ${key} is held by a live node (incarnation ${held.incarnation} at ${held.host}:${held.port})`,
          );
        }
        guard = this.membersNs.if(key, 'Mod', '==', current.mod_revision);
      }
      const res = await guard.then(this.membersNs.put(key).value(value).lease(leaseId)).commit();
      this.clock.observe(res.header.revision);
      if (res.succeeded) return;
    }
    throw new RegistrationError(`address ${key} kept changing under registration; giving up`);
  }

  /** Resolves true once `key` changes after `kv` (deleted or replaced); false at the deadline or on stop. */
  private async awaitChange(key: string, kv: IKeyValue, deadline: number): Promise<boolean> {
    const wait = deadline - Date.now();
    if (wait <= 0 || this.stopped()) return false;
    const w = this.membersNs
      .watch()
      .key(key)
      .startRevision(String(Number(kv.mod_revision) + 1))
      .watcher();
    let interrupt: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<boolean>((resolve) => {
        interrupt = () => resolve(false);
        this.interrupts.add(interrupt);
        timer = setTimeout(() => resolve(false), wait);
        w.on('data', (res: IWatchResponse) => {
          if (res.events.length > 0) resolve(true);
        });
        // State unknown: read the key again (the caller's attempts and deadline bound the retries).
        w.on('error', () => resolve(true));
      });
    } finally {
      clearTimeout(timer);
      if (interrupt) this.interrupts.delete(interrupt);
      await boundedCancel(w, this.opts.callTimeoutMs, this.log);
    }
  }

  private onLeaseLost(lease: Lease, err: unknown): void {
    if (lease !== this.lease || this.stopped()) return;
    this.log.warn({ err }, 'etcd lease lost; re-registering under a new lease');
    this.lease = undefined;
    this.leaseId = undefined;
    this.recovering ??= this.recover().finally(() => {
      this.recovering = undefined;
    });
  }

  private async recover(): Promise<void> {
    let delay = this.opts.retryMs;
    while (!this.stopped()) {
      try {
        await this.acquireLease();
        await this.serial(() => this.register());
        this.log.info({ lease: this.leaseId }, 're-registered in etcd after losing the lease');
        return;
      } catch (err) {
        if (this.stopped()) return;
        const lease = this.lease;
        this.lease = undefined;
        this.leaseId = undefined;
        if (lease) await lease.revoke().catch(() => undefined);
        if (err instanceof RegistrationError) this.log.error({ err }, 're-registration refused; retrying');
        else this.log.warn({ err }, 're-registration failed; retrying');
      }
      await this.sleep(delay);
      delay = Math.min(delay * 2, this.opts.retryMs * 8);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeRecovery = done;
    }).finally(() => {
      this.wakeRecovery = undefined;
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => undefined);
    return run;
  }

  // --- views ------------------------------------------------------------------------------------

  private openWatch(): void {
    if (this.stopped() || this.watchPaused) return;
    const w = this.membersNs
      .watch()
      .prefix('')
      .startRevision(String(this.snapshotRevision + 1))
      .watcher();
    this.watcher = w;
    w.on('data', (res: IWatchResponse) => {
      if (w === this.watcher) this.onWatch(res);
    });
    w.on('disconnected', (err) => this.log.debug({ err }, 'member watch disconnected; resuming'));
    w.on('error', (err) => {
      if (w !== this.watcher) return;
      this.log.warn({ err }, 'member watch failed; re-reading and watching again');
      this.watcher = undefined;
      void boundedCancel(w, this.opts.callTimeoutMs, this.log);
      void this.resync(false)
        .catch((e: unknown) => this.log.warn({ err: e }, 'member re-read failed'))
        .finally(() => {
          if (!this.watcher) this.openWatch();
        });
    });
  }

  private onWatch(res: IWatchResponse): void {
    if (this.stopped()) return;
    const reasons = new Map<Addr, string>();
    for (const ev of res.events) {
      const rev = Number(ev.kv.mod_revision);
      if (rev <= this.snapshotRevision) continue; // already reflected by a full re-read
      if (rev > this.revision) this.revision = rev;
      this.clock.observe(rev);
      const key = ev.kv.key.toString();
      if (ev.type === 'Put') this.set.put(key, ev.kv, reasons);
      else if (ev.type === 'Delete') this.set.delete(key, reasons);
    }
    this.deliver(reasons, false);
  }

  /** Re-reads every member; replaces the state and delivers when it is newer and differs. */
  private async resync(first: boolean): Promise<void> {
    const res = await this.membersNs.getAll().prefix('').exec();
    if (this.stopped()) return;
    const revision = Number(res.header.revision);
    this.clock.observe(revision);
    if (!first && revision < this.revision) return; // a watch event newer than this read was applied
    this.snapshotRevision = revision;
    this.revision = revision;
    this.set.replace(res.kvs);
    // A removal seen only by a re-read cannot be told apart from a deregistration.
    this.deliver(new Map(), first);
  }

  private scheduleResync(): void {
    if (this.stopped()) return;
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = undefined;
      this.resync(false)
        .catch((err: unknown) => this.log.warn({ err }, 'member re-read failed'))
        .finally(() => this.scheduleResync());
    }, this.opts.resyncMs);
    this.resyncTimer.unref();
  }

  /** Delivers a full view when the member set differs from the last one delivered (or `force`). */
  private deliver(reasons: Map<Addr, string>, force: boolean): void {
    if (!this.onView || this.stopped()) return;
    const view = this.set.changedView(reasons, force);
    if (view === undefined) return;
    try {
      this.onView(view);
    } catch (err) {
      this.log.error({ err }, 'view listener threw');
    }
  }

  // --- shutdown ---------------------------------------------------------------------------------

  private async shutdown(graceful: boolean): Promise<void> {
    const wasStarted = this.phase !== 'idle';
    this.phase = 'stopped';
    clearTimeout(this.resyncTimer);
    this.resyncTimer = undefined;
    this.wakeRecovery?.();
    for (const interrupt of this.interrupts) interrupt();
    const lease = this.lease;
    if (!graceful) lease?.release();
    const watcher = this.watcher;
    this.watcher = undefined;
    await Promise.all([
      watcher ? boundedCancel(watcher, this.opts.callTimeoutMs, this.log) : undefined,
      this.kvStore.close(),
      this.recovering,
    ]);
    if (graceful && wasStarted) await this.serial(() => this.deregister());
    this.lease = undefined;
    this.leaseId = undefined;
    this.client.close();
    this.log.info({ graceful }, 'etcd membership stopped');
  }

  /** Marks the record as left and deletes it in one transaction, then revokes the lease. */
  private async deregister(): Promise<void> {
    const lease = this.lease;
    const leaseId = this.leaseId;
    if (!lease || !leaseId) return;
    if (this.self) {
      const key = memberKey(this.self.addr);
      try {
        await this.membersNs
          .if(key, 'Lease', '==', leaseId)
          .then(
            this.membersNs.put(leftKey(this.self.addr)).value(this.self.incarnation).lease(leaseId),
            this.membersNs.delete().key(key),
          )
          .commit();
      } catch (err) {
        this.log.warn({ err }, 'could not delete our member record; revoking the lease');
      }
    }
    try {
      await lease.revoke();
    } catch (err) {
      this.log.warn({ err }, 'could not revoke the etcd lease; it expires by itself');
    }
  }

  private assertNotStopped(): void {
    if (this.stopped()) throw new ClosedError('etcd membership provider');
  }

  /** A method, not a field test, so TypeScript does not narrow `phase` across awaits. */
  private stopped(): boolean {
    return this.phase === 'stopped';
  }
}
