// The handler context of one actor: a small class over the cell, so an idle actor holds no closures.

import type { ActorCell, CellHost } from './cell.js';
import type { ActorContext, ActorNodeApi, ActorTimers } from './context.js';
import type { AnyActorDefinition, DeferredReply } from './define.js';
import { checkDuration } from './duration.js';
import type { ActorId, ActorRef } from './ref.js';
import type { SpawnOptions } from './spawn.js';

/** A timeout may be 0 (next turn); Node turns anything over 2^31-1 into 1 ms, so that is refused. */
function checkDelay(ms: number): void {
  if (ms !== 0) checkDuration('ms', ms);
}

class CellTimers implements ActorTimers {
  constructor(private readonly cell: ActorCell) {}

  setTimeout(fn: () => void, ms: number): NodeJS.Timeout {
    checkDelay(ms);
    const cell = this.cell;
    const t = setTimeout(() => {
      cell.timers?.delete(t);
      cell.fireTimer(fn);
    }, ms);
    cell.timers ??= new Set();
    cell.timers.add(t);
    return t;
  }

  setInterval(fn: () => void, ms: number): NodeJS.Timeout {
    checkDuration('ms', ms);
    const cell = this.cell;
    const t = setInterval(() => cell.fireTimer(fn), ms);
    cell.timers ??= new Set();
    cell.timers.add(t);
    return t;
  }

  clear(t: NodeJS.Timeout): void {
    clearTimeout(t);
    this.cell.timers?.delete(t);
  }
}

export class CellContext implements ActorContext {
  #senderFor: ActorId | undefined;
  #senderRef: ActorRef<any> | undefined;
  #timers: CellTimers | undefined;
  #node: ActorNodeApi | undefined;

  constructor(
    private readonly cell: ActorCell,
    private readonly host: CellHost,
  ) {}

  get self(): ActorRef<any> {
    return this.cell.self;
  }

  get sender(): ActorRef<any> | undefined {
    const env = this.cell.current;
    const name = env?.senderName;
    if (env === undefined || name === undefined) return undefined;
    const last = this.#senderFor;
    if (last === undefined || last.node !== env.senderNode || last.name !== name) {
      this.#senderFor = { node: env.senderNode, name };
      this.#senderRef = this.host.makeRef(this.#senderFor, this.cell.id);
    }
    return this.#senderRef;
  }

  get node(): ActorNodeApi {
    this.#node ??= this.host.nodeApi(this.cell);
    return this.#node;
  }

  get log() {
    return this.cell.log;
  }

  get timers(): ActorTimers {
    this.#timers ??= new CellTimers(this.cell);
    return this.#timers;
  }

  spawn<D extends AnyActorDefinition>(def: D, options?: SpawnOptions<D>): ActorRef<D> {
    return this.host.spawnChild(this.cell, def, options as SpawnOptions<any> | undefined);
  }

  watch(ref: ActorId): void {
    this.host.watchFor(this.cell, ref);
  }

  unwatch(ref: ActorId): void {
    this.host.unwatchFor(this.cell, ref);
  }

  reply<T>(): DeferredReply<T> {
    return this.cell.defer<T>();
  }

  stop(reason = 'stopped by itself'): void {
    this.cell.stopNow(reason);
  }
}
