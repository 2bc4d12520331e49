// The membership seam: one interface that the static, center and etcd providers fill.
import type { Addr } from '@troupe/transport';
import type { Logger } from 'pino';
import type { AnyActorDefinition } from '../actor/define.js';
import type { ActorId, ActorRef } from '../actor/ref.js';

/** What a node publishes about itself and learns about the others. */
export interface MemberRecord {
  addr: Addr;
  host: string;
  port: number;
  /** Visible to other groups (exported services). Harbors are always visible. */
  export: boolean;
  /** `false` while draining: still answers, but leaves `pick` results. */
  available: boolean;
  /** Reported load (sessions, actors, ...), used by `leastLoad`. */
  load: number;
  /** Start time + random: tells a restarted node at the same address from the old one. */
  incarnation: string;
  meta: Record<string, unknown>;
}

/** One full view of the cluster as a provider sees it, with reasons for members that left. */
export interface MembershipView {
  members: MemberRecord[];
  /** Why members absent from this view (and present in the previous one) left, by address. */
  reasons?: ReadonlyMap<Addr, string>;
  /**
   * The view may be missing live members (a registry that just restarted and is still collecting
   * registrations): members absent from it are not taken as gone.
   */
  partial?: boolean;
}

/** What a provider that runs on actors (the center) may use of its node. */
export interface MembershipHost {
  readonly addr: Addr;
  readonly log: Logger;
  spawnSystem(def: AnyActorDefinition, name: string, args?: unknown): ActorRef<any>;
  ref(target: ActorId): ActorRef<any>;
  stopActor(target: ActorId, reason?: string): boolean;
}

/** A KV change pushed to watchers. */
export interface KvEvent {
  type: 'put' | 'delete';
  key: string;
  value?: string;
}

/** A small key-value store for cluster configuration (route tables and the like). */
export interface KvStore {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every entry whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<Array<{ key: string; value: string }>>;
  /** Pushes changes under `prefix` until the returned function is called. */
  watch(prefix: string, listener: (event: KvEvent) => void): () => void;
}

/**
 * A membership provider registers this node, keeps its registration alive, and pushes full views of
 * the cluster. The node diffs successive views into memberUp / memberDown / memberChanged and applies
 * visibility rules (own group, exported members of other groups, all harbors); providers do neither.
 */
export interface MembershipProvider {
  readonly kind: string;
  /** Called once before `start` by providers that need the node (optional). */
  attach?(host: MembershipHost): void;
  /** Where to dial an address the views do not hold yet, e.g. the center itself (optional). */
  resolve?(addr: Addr): { host: string; port: number } | undefined;
  /**
   * Where the node at `addr` lives by this provider's own config (a static file lists every member's
   * host and port); a node started without `listen` listens there (optional).
   */
  listenAddress?(addr: Addr): { host: string; port: number } | undefined;
  /**
   * Registers `self` and starts watching. Resolves once the first view has been delivered to
   * `onView`. Rejects with `RegistrationError` when the registration is refused.
   */
  start(self: MemberRecord, onView: (view: MembershipView) => void): Promise<void>;
  /** Publishes a changed record of this node (load, available, meta). */
  update(self: MemberRecord): Promise<void>;
  /** Cluster configuration store. */
  readonly kv: KvStore;
  /** Deregisters and stops watching. Idempotent. */
  stop(): Promise<void>;
}
