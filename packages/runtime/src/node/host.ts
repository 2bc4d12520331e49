// The host each extension is given: a narrow view of the node core, one per extension (its own log).
import { Addr, type Frame, OptionError, type WireError } from '@troupe/transport';
import type { Logger } from 'pino';
import type { AnyActorDefinition } from '../actor/define.js';
import type { ActorId, ActorRef } from '../actor/ref.js';
import type { PickStrategy } from '../membership/pick.js';
import type { KvStore, MemberRecord } from '../membership/provider.js';
import type { MemberFilter } from '../membership/table.js';
import { BackpressureSignals } from './backpressure.js';
import type { NodeCore } from './core.js';
import type { Extension, ExtensionHost, LocalMessage, SendOptions } from './extension.js';
import { ReplyStatus } from './protocol.js';
import { ExtensionExistsError } from './seam-errors.js';

/** One extension's host; the core behind it stays out of the extension's reach (`#` fields). */
class Host implements ExtensionHost {
  readonly log: Logger;
  readonly #core: NodeCore;
  readonly #set: ExtensionSet;
  readonly #name: string;
  /** Unregisters what the extension registered (hooks, listeners), run when it stops. */
  #offs: Array<() => void> = [];

  constructor(core: NodeCore, set: ExtensionSet, name: string) {
    this.#core = core;
    this.#set = set;
    this.#name = name;
    this.log = core.log.child({ extension: name });
  }

  get addr(): Addr {
    return this.#core.addr;
  }
  get incarnation(): string {
    return this.#core.incarnation;
  }
  get observer(): boolean {
    return this.#core.observer;
  }

  spawnSystem<D extends AnyActorDefinition>(def: D, name: string, args?: unknown): ActorRef<D> {
    return this.#core.spawnSystem(def, name, args) as ActorRef<D>;
  }
  ref<D extends AnyActorDefinition = AnyActorDefinition>(target: ActorId): ActorRef<D> {
    return this.#core.ref<D>(target, undefined);
  }
  hasActor(name: string): boolean {
    return this.#core.hasActor(name);
  }
  deliver(name: string, message: LocalMessage): boolean {
    return this.#core.delivery.offerMessage(name, message);
  }
  onMissingActor(hook: (name: string, message: LocalMessage) => boolean): () => void {
    return this.#keep(this.#core.delivery.onMissing(hook));
  }
  suspend(name: string): boolean {
    return this.#core.actors.suspend(name);
  }
  resume(name: string): boolean {
    return this.#core.actors.resume(name);
  }
  multicast(node: Addr, names: readonly string[], handler: string, arg: unknown, sender?: ActorId): void {
    this.#core.router.multicast(node, names, handler, arg, sender);
  }

  onFrame(kind: number, handler: (frame: Frame, via: Addr) => void): void {
    this.#core.frames.claim(kind, handler, this.#name);
  }
  onTransit(handler: (frame: Frame, via: Addr) => void): void {
    this.#core.frames.claimTransit(handler, this.#name);
  }
  send(to: Addr, kind: number, body: unknown, options?: SendOptions): void {
    this.#core.out.send(
      to,
      kind,
      body,
      options?.from ?? this.#core.addr,
      options?.prompt ?? false,
      options?.head,
    );
  }
  sendRaw(via: Addr, raw: Uint8Array): void {
    this.#core.transport.sendRaw(via, raw);
  }
  /**
   * Answers a remote ask with a runtime error, speaking as `from` (a relay answering for a target it
   * cannot reach, so the asker matches the reply to its ask). Failures are logged, not thrown.
   */
  failAsk(to: Addr, askId: number, error: WireError, from?: Addr): void {
    this.#core.out.reply(to, askId, ReplyStatus.RuntimeError, error, from ?? this.#core.addr);
  }
  /** Sends a control frame of the core (`Kind`), logging instead of throwing when it cannot go. */
  control(to: Addr, kind: number, body: unknown[], from?: Addr): void {
    this.#core.out.control(to, kind, body, from ?? this.#core.addr);
  }
  route(from: Addr, to: Addr): Addr {
    return this.#core.out.route(from, to) as Addr;
  }
  writable(peer: Addr): boolean {
    return this.#set.backpressure.writable(peer);
  }
  onDrain(peer: Addr, fn: () => void): void {
    this.#set.backpressure.onDrain(peer, fn);
  }

  members(filter?: MemberFilter): MemberRecord[] {
    return this.#core.members(filter);
  }
  get membersVersion(): number {
    return this.#core.table.version;
  }
  pick(type: number, strategy?: PickStrategy): MemberRecord {
    return this.#core.pick(type, strategy);
  }
  isAlive(addr: Addr): boolean {
    return this.#core.table.isAlive(addr);
  }
  get kv(): KvStore {
    return this.#core.membership.kv;
  }
  onMemberUp(fn: (member: MemberRecord) => void): () => void {
    return this.#keep(this.#core.liveness.memberUp.add(fn));
  }
  onMemberDown(fn: (member: MemberRecord, reason: string) => void): () => void {
    return this.#keep(this.#core.liveness.memberDown.add(fn));
  }
  onPeerGone(fn: (peer: Addr, reason: string) => void): () => void {
    return this.#keep(this.#core.liveness.peerGoneListeners.add(fn));
  }
  reportPeerDown(peer: Addr, reason: string): void {
    this.#core.liveness.peerDown(peer, reason);
  }

  addStats(section: () => unknown): void {
    this.#set.sections.set(this.#name, section);
  }

  /** Drops every hook and listener the extension registered, and its stats section. */
  release(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#set.sections.delete(this.#name);
  }

  #keep(off: () => void): () => void {
    this.#offs.push(off);
    return off;
  }
}

/** The extensions of one node: started in order, stopped in reverse, each with its host. */
export class ExtensionSet {
  readonly sections = new Map<string, () => unknown>();
  readonly backpressure: BackpressureSignals;
  #started: Array<{ ext: Extension; host: Host }> = [];

  constructor(private readonly core: NodeCore) {
    this.backpressure = new BackpressureSignals(core.transport);
    // A link that went away never drains: its waiters run, and their next send meets the error.
    core.liveness.peerGoneListeners.add((peer) => this.backpressure.release(peer));
  }

  /** Names of the running extensions, in start order. */
  names(): string[] {
    return this.#started.map((s) => s.ext.name);
  }

  /** Starts each extension; a failure stops the ones already started and rethrows. */
  async start(extensions: readonly Extension[]): Promise<void> {
    const names = new Set<string>();
    for (const [i, ext] of extensions.entries()) {
      if (typeof ext?.name !== 'string' || ext.name === '' || typeof ext.start !== 'function')
        throw new OptionError(
          `extensions[${i}]`,
          'must be an object with a non-empty name and a start function',
        );
    }
    for (const ext of extensions) {
      if (names.has(ext.name))
        throw new ExtensionExistsError(
          `two extensions named "${ext.name}" on ${Addr.format(this.core.addr)}`,
        );
      names.add(ext.name);
    }
    for (const ext of extensions) {
      const host = new Host(this.core, this, ext.name);
      try {
        await ext.start(host);
      } catch (err) {
        // The node stops the ones already started; this one's registrations go now.
        host.release();
        throw err;
      }
      this.#started.push({ ext, host });
    }
  }

  /** Each extension's stats section, by name (a throwing section reports its error). */
  stats(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, section] of this.sections) {
      try {
        out[name] = section();
      } catch (err) {
        out[name] = { error: (err as Error).message };
      }
    }
    return out;
  }

  /** Stops the started extensions in reverse order; one failing does not keep the others running. */
  /** Tells each started extension, in start order, that the node is a member now. */
  async ready(): Promise<void> {
    for (const { ext } of this.#started) await ext.ready?.();
  }

  async stop(): Promise<void> {
    const started = this.#started;
    this.#started = [];
    for (const { ext, host } of started.reverse()) {
      try {
        await ext.stop?.();
      } catch (err) {
        this.core.log.warn({ err, extension: ext.name }, 'extension stop failed');
      }
      // A stopped extension hears nothing more (the links' own shutdown reports peers gone).
      host.release();
    }
    this.backpressure.close();
  }
}
