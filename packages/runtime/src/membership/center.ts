// Center membership: nodes register with the registry actor on a center node, keep a lease alive,
// and get views and KV changes pushed. The center node runs the registry itself (`serve`).
import { Addr, OptionError } from '@troupe/transport';
import { defineActor } from '../actor/define.js';
import type { ActorRef } from '../actor/ref.js';
import { RegistrationError } from '../errors.js';
import {
  checkKey,
  checkValue,
  REGISTRY_NAME,
  Registry,
  type RegistryArgs,
  type WireDelta,
  type WireView,
} from './center-registry.js';
import { MemoryKv } from './memory-kv.js';
import type {
  KvEvent,
  KvStore,
  MemberRecord,
  MembershipHost,
  MembershipProvider,
  MembershipView,
} from './provider.js';

/** Name of the actor on every node that receives the center's pushes. */
export const CLIENT_NAME = 'troupe.membership';

export interface CenterOptions {
  /** The center node: its address and where it listens. */
  center: { addr: string | number; host?: string; port: number };
  /** Run the registry on this node (this node is the center). */
  serve?: boolean | { persistFile?: string; warmupMs?: number };
  /** Lease length; a node that stops renewing is removed after it. Default 3000 ms. */
  leaseMs?: number;
  /** Renewal period. Default leaseMs / 3. */
  renewMs?: number;
  /** How long `start` keeps trying to reach the center. Default 10000 ms. */
  startTimeoutMs?: number;
}

type Registrar = ActorRef<typeof Registry>;

const Client = defineActor({
  init: (args: { provider: CenterMembership }) => args.provider,
  handlers: {
    view(provider, v: WireView) {
      provider.pushed(v);
    },
    delta(provider, d: WireDelta) {
      provider.deltaPushed(d);
    },
    kv(provider, e: KvEvent) {
      provider.kvPushed(e);
    },
  },
});

/** Remote KV on the center, with watches served from a pushed local mirror. */
class CenterKv implements KvStore {
  readonly mirror = new MemoryKv();
  constructor(private readonly registry: () => Registrar) {}
  async get(key: string) {
    return (await this.registry().call.kvGet(checkKey(key))) ?? undefined;
  }
  async put(key: string, value: string) {
    await this.registry().call.kvPut({ key: checkKey(key), value: checkValue(value) });
  }
  async delete(key: string) {
    await this.registry().call.kvDelete(checkKey(key));
  }
  async list(prefix: string) {
    return this.registry().call.kvList(prefix);
  }
  watch(prefix: string, listener: (event: KvEvent) => void) {
    return this.mirror.watch(prefix, listener);
  }
}

export class CenterMembership implements MembershipProvider {
  readonly kind = 'center';
  readonly kv: CenterKv;
  private readonly centerAddr: Addr;
  private readonly centerHost: string;
  private readonly centerPort: number;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly startTimeoutMs: number;
  private readonly serve: RegistryArgs | undefined;
  private host: MembershipHost | undefined;
  private registrar: Registrar | undefined;
  private client: ActorRef<typeof Client> | undefined;
  private self: MemberRecord | undefined;
  private onView: ((view: MembershipView) => void) | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private registering: Promise<void> | undefined;
  private stopped = false;
  /** On the center: where each registered node listens. */
  private registrants: Map<number, { host: string; port: number }> | undefined;
  /** The members as of the registry's change `seq`, kept up to date by deltas. */
  private readonly members = new Map<number, MemberRecord>();
  private seq = -1;
  private epoch = '';
  private resyncing = false;

  constructor(options: CenterOptions) {
    this.centerAddr = Addr.of(options.center.addr as string);
    this.centerHost = options.center.host ?? '127.0.0.1';
    this.centerPort = options.center.port;
    if (!Number.isInteger(this.centerPort) || this.centerPort < 1 || this.centerPort > 65535) {
      throw new OptionError('center.port', `must be 1..65535, got ${this.centerPort}`);
    }
    this.leaseMs = options.leaseMs ?? 3000;
    this.renewMs = options.renewMs ?? Math.floor(this.leaseMs / 3);
    if (this.renewMs >= this.leaseMs) throw new OptionError('renewMs', 'must be shorter than leaseMs');
    this.startTimeoutMs = options.startTimeoutMs ?? 10_000;
    const serve = options.serve;
    this.serve = serve
      ? {
          leaseMs: this.leaseMs,
          warmupMs: (typeof serve === 'object' ? serve.warmupMs : undefined) ?? this.leaseMs,
          ...(typeof serve === 'object' && serve.persistFile ? { persistFile: serve.persistFile } : {}),
        }
      : undefined;
    this.kv = new CenterKv(() => this.reg());
  }

  attach(host: MembershipHost): void {
    this.host = host;
  }

  /** The center; and on the center, every registrant (it serves them whatever their group). */
  resolve(addr: Addr): { host: string; port: number } | undefined {
    if (addr === this.centerAddr) return { host: this.centerHost, port: this.centerPort };
    return this.registrants?.get(addr);
  }

  private reg(): Registrar {
    if (this.registrar === undefined) throw new OptionError('membership', 'center membership is not started');
    return this.registrar;
  }

  async start(self: MemberRecord, onView: (view: MembershipView) => void): Promise<void> {
    const host = this.host;
    if (host === undefined)
      throw new OptionError('membership', 'center membership must be attached to a node');
    this.self = self;
    this.onView = onView;
    if (this.serve !== undefined) {
      if (host.addr !== this.centerAddr) {
        throw new OptionError(
          'center.addr',
          `this node (${Addr.format(host.addr)}) serves the registry but is not the center`,
        );
      }
      host.spawnSystem(Registry, REGISTRY_NAME, this.serve);
    }
    this.registrar = host.ref({ node: this.centerAddr, name: REGISTRY_NAME });
    this.client = host.spawnSystem(Client, CLIENT_NAME, { provider: this });
    await this.register(Date.now() + this.startTimeoutMs);
    this.renewTimer = setInterval(() => this.renew(), this.renewMs);
    this.renewTimer.unref();
  }

  /** Registers, retrying while the center is unreachable; a refusal is final. */
  private async register(deadline: number): Promise<void> {
    let delay = 20;
    for (;;) {
      if (this.stopped) return;
      try {
        const res = await this.reg().call.register(
          { record: this.self!, client: this.client!.toJSON() },
          { timeoutMs: Math.max(200, this.renewMs) },
        );
        this.kv.mirror.replaceAll(res.kv);
        this.pushed(res.view);
        return;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'REGISTRATION_REFUSED') throw new RegistrationError((err as Error).message);
        // The center's link layer refused us: a live node holds this address.
        if ((err as Error).message.includes('ADDRESS_IN_USE'))
          throw new RegistrationError((err as Error).message);
        if (Date.now() + delay > deadline) {
          throw new RegistrationError(
            `center ${Addr.format(this.centerAddr)} unreachable: ${(err as Error).message}`,
          );
        }
        this.host?.log.debug({ err }, 'center not reachable, retrying');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, this.renewMs);
      }
    }
  }

  private renew(): void {
    if (this.stopped || this.registering !== undefined || this.self === undefined) return;
    const self = this.self;
    this.reg()
      .call.renew({ addr: self.addr, incarnation: self.incarnation }, { timeoutMs: this.renewMs })
      .then(
        (known) => {
          if (known || this.stopped) return;
          // The center lost us (it restarted, or our lease lapsed): register again.
          this.registering = this.register(Date.now() + this.leaseMs * 10)
            .catch((err) => this.host?.log.warn({ err }, 're-registration with the center failed'))
            .finally(() => {
              this.registering = undefined;
            });
        },
        (err) => this.host?.log.debug({ err }, 'lease renewal failed'),
      );
  }

  /** @internal A full view from the center (the registration reply, the end of its warm-up, a resync). */
  pushed(v: WireView): void {
    if (this.stopped) return;
    if (this.serve !== undefined && !v.partial) this.registrants = new Map();
    this.members.clear();
    for (const m of v.members) this.members.set(m.addr, m);
    this.seq = v.seq;
    this.epoch = v.epoch;
    this.publish(v.members, v.reasons, v.partial);
  }

  /** @internal One change from the center; a gap in the sequence fetches the full view instead. */
  deltaPushed(d: WireDelta): void {
    if (this.stopped) return;
    if (d.epoch === this.epoch && d.seq <= this.seq) return;
    if (d.epoch !== this.epoch || d.seq !== this.seq + 1) {
      this.resync();
      return;
    }
    this.seq = d.seq;
    for (const m of d.up) this.members.set(m.addr, m);
    for (const [addr] of d.down) this.members.delete(addr);
    this.publish(d.up, d.down, d.partial);
  }

  /** Fetches the full view after a missed delta. */
  private resync(): void {
    if (this.resyncing || this.registrar === undefined) return;
    this.resyncing = true;
    this.reg()
      .call.view(undefined, { timeoutMs: this.renewMs })
      .then(
        (v) => this.pushed(v),
        (err) => {
          this.host?.log.debug({ err }, 'membership resync failed');
          this.seq = -1;
        },
      )
      .finally(() => {
        this.resyncing = false;
      });
  }

  /** Hands the current member set to the node; `changed` are the records this change carried. */
  private publish(changed: MemberRecord[], reasons: Array<[number, string]>, partial: boolean): void {
    if (this.serve !== undefined) {
      this.registrants ??= new Map();
      for (const m of changed) this.registrants.set(m.addr, { host: m.host, port: m.port });
    }
    const self = this.self;
    if (self !== undefined && !partial && this.members.get(self.addr)?.incarnation !== self.incarnation) {
      // Dropped by the center (e.g. a lost connection); come back on the next renewal.
      this.renew();
    }
    this.onView?.({
      members: [...this.members.values()],
      reasons: new Map(reasons.map(([a, r]) => [a as Addr, r])),
      ...(partial ? { partial: true } : {}),
    });
  }

  /** @internal A KV change pushed by the center. */
  kvPushed(e: KvEvent): void {
    if (e.type === 'put' && typeof e.value === 'string') this.kv.mirror.putSync(e.key, e.value);
    else if (e.type === 'delete') this.kv.mirror.deleteSync(e.key);
  }

  async update(self: MemberRecord): Promise<void> {
    this.self = self;
    const ok = await this.reg().call.update(self);
    if (!ok) this.renew();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    const self = this.self;
    this.halt();
    if (self !== undefined && this.registrar !== undefined && this.host?.addr !== this.centerAddr) {
      await this.registrar.call
        .deregister({ addr: self.addr, incarnation: self.incarnation }, { timeoutMs: 500 })
        .catch(() => false);
    }
  }

  /** Stops renewing without deregistering (an abrupt death, for tests). */
  kill(): void {
    this.halt();
  }

  private halt(): void {
    this.stopped = true;
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    this.onView = undefined;
  }
}

/** Center membership for a node; pass `serve: true` on the center node itself. */
export function centerMembership(options: CenterOptions): CenterMembership {
  return new CenterMembership(options);
}
