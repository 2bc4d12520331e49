// A CellHost without a node, for unit tests of cells: refs whose sends are recorded, a real dispatcher.
import pino from 'pino';
import { ActorCell, type CellHost } from './cell.js';
import type { ActorNodeApi } from './context.js';
import type { AnyActorDefinition, SupervisionOptions } from './define.js';
import { Dispatcher } from './dispatcher.js';
import { Envelope, type Replier } from './envelope.js';
import { type ActorId, ActorRef, type Router } from './ref.js';
import type { SpawnOptions } from './spawn.js';

/** A replier that records how it was settled. */
export class RecordingReplier implements Replier {
  readonly settled: Promise<{ ok?: unknown; error?: { code: string; message: string; data?: unknown } }>;
  thrown: boolean | undefined;
  calls = 0;
  #resolve!: (v: { ok?: unknown; error?: { code: string; message: string; data?: unknown } }) => void;
  constructor() {
    this.settled = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }
  ok(value: unknown): void {
    this.calls++;
    this.#resolve({ ok: value });
  }
  fail(error: { code: string; message: string; data?: unknown }, thrown = false): void {
    this.calls++;
    this.thrown = thrown;
    this.#resolve({ error });
  }
}

const router: Router = {
  tell() {},
  ask: async () => undefined,
};

export class FakeHost implements CellHost {
  readonly dispatcher = new Dispatcher(100, 10_000);
  readonly deadLetters: Array<{ to: string; handler: string; reason: string }> = [];
  readonly stopped: Array<{ name: string; reason: string }> = [];
  readonly cells = new Map<string, ActorCell>();
  private readonly log = pino({ level: 'silent' });

  makeRef(id: ActorId, sender: ActorId | undefined, asSelf = false): ActorRef<any> {
    return new ActorRef(id.node as never, id.name, router, asSelf ? 'self' : sender);
  }
  actorLogger() {
    return this.log;
  }
  nodeApi(): ActorNodeApi {
    return { addr: 1 } as ActorNodeApi;
  }
  spawnChild(parent: ActorCell, def: AnyActorDefinition, options: SpawnOptions<any> | undefined) {
    const child = this.spawn(def, options?.name ?? `child-${this.cells.size}`, options?.args, {}, parent);
    parent.children ??= new Set();
    parent.children.add(child);
    return child.self;
  }
  watchFor(): void {}
  unwatchFor(): void {}
  deadLetter(to: ActorId, handler: string, reason: string): void {
    this.deadLetters.push({ to: to.name, handler, reason });
  }
  cellStopped(cell: ActorCell, reason: string): void {
    this.cells.delete(cell.id.name);
    cell.parent?.children?.delete(cell);
    this.stopped.push({ name: cell.id.name, reason });
  }

  spawn(
    def: AnyActorDefinition,
    name: string,
    args?: unknown,
    options: { supervision?: SupervisionOptions; mailboxLimit?: number } = {},
    parent?: ActorCell,
  ): ActorCell {
    const cell = new ActorCell(
      this,
      def,
      name,
      1,
      args,
      { ...options, mailboxLimit: options.mailboxLimit ?? 1000 },
      parent,
    );
    cell.start();
    this.cells.set(name, cell);
    return cell;
  }

  /** Sends an ask to `cell` and returns how it was answered. */
  ask(cell: ActorCell, handler: string, arg?: unknown) {
    const r = new RecordingReplier();
    cell.enqueue(new Envelope(handler, arg, 1, undefined, r));
    return r;
  }

  tell(cell: ActorCell, handler: string, arg?: unknown): void {
    cell.enqueue(new Envelope(handler, arg, 1, undefined, undefined));
  }
}
