import { afterEach, describe, expect, it } from 'vitest';
import { defineActor } from '../actor/define.js';
import {
  AbortError,
  ActorExistsError,
  ActorNotFoundError,
  ActorStoppedError,
  MailboxFullError,
  RemoteError,
  TimeoutError,
  UnknownHandlerError,
} from '../errors.js';
import { waitFor } from '../testing/wait.js';
import { Node } from './node.js';

const Counter = defineActor({
  init: (args: { start: number }) => ({ n: args.start }),
  handlers: {
    add(state, by: number) {
      state.n += by;
      return state.n;
    },
    get(state) {
      return state.n;
    },
    boom(_state, message: string) {
      throw new Error(message);
    },
    async slow(state, ms: number) {
      await new Promise((r) => setTimeout(r, ms));
      return state.n;
    },
  },
});

let nodes: Node[] = [];
async function start(): Promise<Node> {
  const node = await Node.start({ addr: '1.1.1', secret: 's' });
  nodes.push(node);
  return node;
}

afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
});

describe('local actors', () => {
  it('answers typed calls and casts in order', async () => {
    const node = await start();
    const c = node.spawn(Counter, { name: 'c', args: { start: 1 } });
    expect(await c.call.add(2)).toBe(3);
    for (let i = 0; i < 1000; i++) c.cast.add(1);
    expect(await c.call.get()).toBe(1003);
    const again = node.ref<typeof Counter>('1.1.1', 'c');
    expect(await again.call.get(undefined, { timeoutMs: 100 })).toBe(1003);
  });

  it('tells a lone options object from an argument', async () => {
    const node = await start();
    const Echo = defineActor({
      init: () => ({}),
      handlers: {
        echo(_s, x: unknown) {
          return x;
        },
        none() {
          return 'no argument';
        },
      },
    });
    const e = node.spawn(Echo);
    const bytes = new Uint8Array([1, 2, 3]);
    expect(await e.call.echo(bytes)).toEqual(bytes);
    expect(await e.call.echo([1, 2])).toEqual([1, 2]);
    expect(await e.call.echo({})).toEqual({});
    expect(await e.call.echo({ timeoutMs: 5, other: 1 })).toEqual({ timeoutMs: 5, other: 1 });
    expect(await e.call.echo({ timeoutMs: 30_000 })).toEqual({ timeoutMs: 30_000 });
    expect(await e.call.none(undefined, { timeoutMs: 1000 })).toBe('no argument');
  });

  it('never interleaves an async handler with the next message', async () => {
    const node = await start();
    const log: string[] = [];
    const A = defineActor({
      init: () => ({}),
      handlers: {
        async work(_s, id: number) {
          log.push(`start ${id}`);
          await new Promise((r) => setTimeout(r, 5));
          await Promise.resolve();
          log.push(`end ${id}`);
          return id;
        },
      },
    });
    const a = node.spawn(A);
    const results = await Promise.all([1, 2, 3, 4].map((i) => a.call.work(i)));
    expect(results).toEqual([1, 2, 3, 4]);
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3', 'start 4', 'end 4']);
  });

  it('rejects with named errors: timeout, abort, unknown actor, unknown handler, thrown error', async () => {
    const node = await start();
    const c = node.spawn(Counter, { name: 'c', args: { start: 0 } });
    await expect(c.call.slow(200, { timeoutMs: 20 })).rejects.toBeInstanceOf(TimeoutError);
    const ac = new AbortController();
    const p = c.call.slow(200, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    await expect(node.ref<typeof Counter>('1.1.1', 'nobody').call.get()).rejects.toBeInstanceOf(
      ActorNotFoundError,
    );
    await expect(c.ask('nope', 1)).rejects.toBeInstanceOf(UnknownHandlerError);
    const err = await c.call.boom('bad things').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as RemoteError).code).toBe('HANDLER_ERROR');
    expect((err as RemoteError).message).toBe('bad things');
  });

  it('keeps the state when an ask fails; restarts with fresh state when a cast fails', async () => {
    const node = await start();
    const c = node.spawn(Counter, { name: 'c', args: { start: 10 } });
    expect(await c.call.add(5)).toBe(15);
    await expect(c.call.boom('x')).rejects.toBeInstanceOf(RemoteError);
    expect(await c.call.get()).toBe(15);
    c.cast.boom('x');
    expect(await c.call.get()).toBe(10);
    // Repeated failures back off but the actor still comes back.
    c.cast.boom('y');
    c.cast.boom('z');
    expect(await c.call.add(1)).toBe(11);
  });

  it('supports stop and resume policies', async () => {
    const node = await start();
    const stopped = node.spawn(Counter, {
      name: 's',
      args: { start: 1 },
      supervision: { policy: 'stop', onAskError: 'supervise' },
    });
    const resumed = node.spawn(Counter, { name: 'r', args: { start: 1 }, supervision: { policy: 'resume' } });
    await resumed.call.add(1);
    resumed.cast.boom('x');
    expect(await resumed.call.get()).toBe(2);
    const terminated = new Promise<string>((resolve) => node.watch(stopped, (t) => resolve(t.reason)));
    await expect(stopped.call.boom('fatal')).rejects.toBeInstanceOf(RemoteError);
    expect(await terminated).toBe('failed: fatal');
    await expect(stopped.call.get()).rejects.toBeInstanceOf(ActorNotFoundError);
  });

  it('escalates a child failure to its parent, which applies its own policy', async () => {
    const node = await start();
    const Child = defineActor({
      init: () => ({}),
      handlers: {
        fail(_s, message: string) {
          throw new Error(message);
        },
      },
      supervision: { policy: 'escalate' },
    });
    const Parent = defineActor({
      init: () => ({ n: 0 }),
      handlers: {
        bump(state) {
          state.n++;
          return state.n;
        },
        spawnChild(_state, _x: undefined, ctx) {
          return ctx.spawn(Child, { name: 'child' }).toJSON();
        },
      },
    });
    const parent = node.spawn(Parent, { name: 'parent' });
    expect(await parent.call.bump()).toBe(1);
    const child = node.ref<typeof Child>(await parent.call.spawnChild(undefined));
    const childGone = new Promise<string>((resolve) => node.watch(child, (t) => resolve(t.reason)));
    child.cast.fail('bad child');
    expect(await childGone).toBe('failed: bad child');
    // The parent restarted (its default policy): fresh state.
    expect(await parent.call.bump()).toBe(1);
    // A top-level actor that escalates just stops.
    const top = node.spawn(Child, { name: 'top' });
    const topGone = new Promise<string>((resolve) => node.watch(top, (t) => resolve(t.reason)));
    top.cast.fail('alone');
    expect(await topGone).toBe('failed: alone');
  });

  it('watch fires Terminated for a stopped actor, inside actors too', async () => {
    const node = await start();
    const seen: string[] = [];
    const Watcher = defineActor({
      init: () => ({}),
      handlers: {
        watch(_s, target: { node: number; name: string }, ctx) {
          ctx.watch(target);
        },
      },
      onTerminated(_s, t) {
        seen.push(`${t.ref.name}:${t.reason}`);
      },
    });
    const c = node.spawn(Counter, { name: 'c', args: { start: 0 } });
    const w = node.spawn(Watcher, { name: 'w' });
    await w.call.watch(c.toJSON());
    node.stopActor(c, 'done');
    await waitFor(() => seen.length === 1, 2000, 'Terminated');
    expect(seen).toEqual(['c:done']);
    const missing = await new Promise<string>((resolve) =>
      node.watch({ node: node.addr, name: 'ghost' }, (t) => resolve(t.reason)),
    );
    expect(missing).toBe('not found');
  });

  it('lets the running message finish, then answers queued asks with ActorStoppedError', async () => {
    const node = await start();
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const Worker = defineActor({
      init: () => ({}),
      handlers: {
        async work() {
          started();
          await gate;
          return 'done';
        },
        get() {
          return 'never';
        },
      },
    });
    const w = node.spawn(Worker);
    const first = w.call.work();
    const queued = w.call.get();
    await running;
    node.stopActor(w);
    release();
    expect(await first).toBe('done');
    await expect(queued).rejects.toBeInstanceOf(ActorStoppedError);
  });

  it('bounds the mailbox with MailboxFullError', async () => {
    const node = await start();
    const c = node.spawn(Counter, { name: 'c', args: { start: 0 }, mailboxLimit: 10 });
    for (let i = 0; i < 10; i++) c.cast.add(1);
    expect(() => c.cast.add(1)).toThrow(MailboxFullError);
    await expect(c.call.get()).rejects.toBeInstanceOf(MailboxFullError);
    await waitFor(async () => (await c.call.get().catch(() => -1)) === 10, 2000, 'drain');
  });

  it('refuses a duplicate name and counts dead letters', async () => {
    const node = await start();
    node.spawn(Counter, { name: 'c', args: { start: 0 } });
    expect(() => node.spawn(Counter, { name: 'c', args: { start: 0 } })).toThrow(ActorExistsError);
    const letters: string[] = [];
    node.on('deadLetter', (l) => letters.push(`${l.to.name}:${l.reason}`));
    node.ref('1.1.1', 'nobody').tell('x', 1);
    expect(node.deadLetters).toBe(1);
    expect(letters).toEqual(['nobody:actor not found']);
  });

  it('supports deferred replies, sender, timers cleared on stop, and children', async () => {
    const node = await start();
    const Echo = defineActor({
      init: () => ({ pending: [] as Array<import('../actor/define.js').DeferredReply<string>> }),
      handlers: {
        wait(state, _x: undefined, ctx) {
          const r = ctx.reply<string>();
          state.pending.push(r);
          return r;
        },
        release(state, v: string) {
          for (const r of state.pending) r.resolve(v);
          state.pending = [];
          return state.pending.length;
        },
        whoami(_s, _x: undefined, ctx) {
          return ctx.sender?.name ?? 'nobody';
        },
      },
    });
    const e = node.spawn(Echo, { name: 'e' });
    const w1 = e.call.wait(undefined);
    const w2 = e.call.wait(undefined);
    await e.call.release('go');
    expect(await Promise.all([w1, w2])).toEqual(['go', 'go']);

    let ticks = 0;
    const Parent = defineActor({
      init: () => ({ child: undefined as undefined | { node: number; name: string } }),
      handlers: {
        setup(state, _x: undefined, ctx) {
          ctx.timers.setInterval(() => {
            ticks++;
          }, 1);
          state.child = ctx.spawn(Echo, { name: 'child' }).toJSON();
          return ctx.node.ref<typeof Echo>(state.child.node, state.child.name).call.whoami(undefined);
        },
      },
    });
    const p = node.spawn(Parent, { name: 'p' });
    expect(await p.call.setup(undefined)).toBe('p');
    await waitFor(() => ticks > 2, 2000, 'timer ticks');
    expect(node.actorCount).toBe(3);
    node.stopActor(p);
    await waitFor(() => node.actorCount === 1, 2000, 'parent and child stopped');
    const after = ticks;
    await new Promise((r) => setTimeout(r, 20));
    expect(ticks).toBe(after);
  });
});
