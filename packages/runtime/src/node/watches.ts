// Death watch: who watches which actor, locally and across nodes.
import type { Terminated } from '../actor/define.js';
import type { ActorId } from '../actor/ref.js';

/** A watcher: an actor (gets `onTerminated` in its mailbox) or a plain listener. */
export type Watcher = { deliver(t: Terminated): void };

function key(node: number, name: string): string {
  return `${node}/${name}`;
}

/**
 * Keeps watchers per target. Watches of remote targets are aggregated per node: the remote node is
 * told once per target (`onFirstRemote`) and forgets it when the last local watcher leaves.
 */
export class WatchRegistry {
  private readonly watchers = new Map<string, { target: ActorId; set: Set<Watcher> }>();
  /** What each watcher watches (keys of `watchers`), so a stopping actor leaves without a scan. */
  private readonly byWatcher = new Map<Watcher, Set<string>>();
  /** Remote nodes watching our local actors: name -> node addresses. */
  private readonly remoteWatchers = new Map<string, Set<number>>();

  constructor(
    private readonly self: number,
    private readonly hooks: {
      sendWatch(target: ActorId): void;
      sendUnwatch(target: ActorId): void;
      sendTerminated(toNode: number, name: string, reason: string): void;
      onListenerError(err: unknown): void;
    },
  ) {}

  add(target: ActorId, watcher: Watcher): void {
    const k = key(target.node, target.name);
    let mine = this.byWatcher.get(watcher);
    if (mine === undefined) {
      mine = new Set();
      this.byWatcher.set(watcher, mine);
    }
    mine.add(k);
    let entry = this.watchers.get(k);
    if (entry === undefined) {
      entry = { target: { node: target.node, name: target.name }, set: new Set() };
      this.watchers.set(k, entry);
      entry.set.add(watcher);
      if (target.node !== this.self) this.hooks.sendWatch(entry.target);
      return;
    }
    entry.set.add(watcher);
  }

  remove(target: ActorId, watcher: Watcher): void {
    this.removeKey(key(target.node, target.name), watcher);
  }

  private removeKey(k: string, watcher: Watcher): void {
    this.forget(watcher, k);
    const entry = this.watchers.get(k);
    if (entry === undefined || !entry.set.delete(watcher)) return;
    if (entry.set.size === 0) {
      this.watchers.delete(k);
      if (entry.target.node !== this.self) this.hooks.sendUnwatch(entry.target);
    }
  }

  private forget(watcher: Watcher, k: string): void {
    const mine = this.byWatcher.get(watcher);
    if (mine === undefined) return;
    mine.delete(k);
    if (mine.size === 0) this.byWatcher.delete(watcher);
  }

  /** Removes a watcher from every target it watches (the watching actor stopped): its own, no scan. */
  removeWatcher(watcher: Watcher): void {
    const mine = this.byWatcher.get(watcher);
    if (mine === undefined) return;
    this.byWatcher.delete(watcher);
    for (const k of mine) this.removeKey(k, watcher);
  }

  /** Targets `watcher` watches. */
  watchCount(watcher: Watcher): number {
    return this.byWatcher.get(watcher)?.size ?? 0;
  }

  /** Watched targets, over all watchers. */
  get size(): number {
    return this.watchers.size;
  }

  /** A target terminated: tell local watchers and the nodes that watch it. */
  terminated(target: ActorId, reason: string): void {
    const k = key(target.node, target.name);
    const entry = this.watchers.get(k);
    if (entry !== undefined) {
      this.watchers.delete(k);
      for (const w of entry.set) this.forget(w, k);
      this.deliver(entry.set, { ref: entry.target, reason });
    }
    if (target.node === this.self) {
      const nodes = this.remoteWatchers.get(target.name);
      if (nodes !== undefined) {
        this.remoteWatchers.delete(target.name);
        for (const n of nodes) this.hooks.sendTerminated(n, target.name, reason);
      }
    }
  }

  /** Every watched actor on `node` is gone (node down or restarted). */
  nodeDown(node: number, reason: string): void {
    for (const [k, entry] of [...this.watchers]) {
      if (entry.target.node !== node) continue;
      this.watchers.delete(k);
      for (const w of entry.set) this.forget(w, k);
      this.deliver(entry.set, { ref: entry.target, reason });
    }
    for (const [name, nodes] of this.remoteWatchers) {
      nodes.delete(node);
      if (nodes.size === 0) this.remoteWatchers.delete(name);
    }
  }

  /** A remote node watches one of our actors. */
  addRemote(fromNode: number, name: string): void {
    let set = this.remoteWatchers.get(name);
    if (set === undefined) {
      set = new Set();
      this.remoteWatchers.set(name, set);
    }
    set.add(fromNode);
  }

  removeRemote(fromNode: number, name: string): void {
    const set = this.remoteWatchers.get(name);
    if (set === undefined) return;
    set.delete(fromNode);
    if (set.size === 0) this.remoteWatchers.delete(name);
  }

  /** Nodes that hold watched actors. */
  watchedNodes(): number[] {
    const out = new Set<number>();
    for (const entry of this.watchers.values())
      if (entry.target.node !== this.self) out.add(entry.target.node);
    return [...out];
  }

  private deliver(set: Set<Watcher>, t: Terminated): void {
    for (const w of set) {
      try {
        w.deliver(t);
      } catch (err) {
        this.hooks.onListenerError(err);
      }
    }
  }
}
