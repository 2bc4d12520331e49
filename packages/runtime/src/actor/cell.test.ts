import { describe, expect, it } from 'vitest';
import { InvalidActorNameError, ReplyError } from '../errors.js';
import { checkActorName } from './cell.js';
import { type DeferredReply, defineActor } from './define.js';
import { FakeHost } from './fake-host.fixture.js';

const Store = defineActor({
  init: () => ({ items: new Map<string, number>(), waiting: [] as DeferredReply<number>[] }),
  handlers: {
    put(state, kv: [string, number]) {
      state.items.set(kv[0], kv[1]);
      return state.items.size;
    },
    size(state) {
      return state.items.size;
    },
    take(state, key: string) {
      const v = state.items.get(key);
      if (v === undefined) throw new ReplyError('NO_SUCH_KEY', `no key ${key}`, { key });
      return v;
    },
    crash() {
      throw new Error('plain bug');
    },
    async later(_state, key: string) {
      await Promise.resolve();
      throw new ReplyError('LATER', `later ${key}`);
    },
    wait(state, _: void, ctx) {
      const r = ctx.reply<number>();
      state.waiting.push(r);
      return r;
    },
    hang() {
      return new Promise(() => {});
    },
  },
});

describe('actor cell (fake host)', () => {
  it('answers a throwing ask with the chosen code and data, and keeps the state', async () => {
    const host = new FakeHost();
    const cell = host.spawn(Store, 'store');
    host.tell(cell, 'put', ['a', 1]);
    const miss = host.ask(cell, 'take', 'b');
    expect(await miss.settled).toEqual({
      error: { code: 'NO_SUCH_KEY', message: 'no key b', data: { key: 'b' } },
    });
    expect(miss.thrown).toBe(true);
    const bug = host.ask(cell, 'crash');
    expect((await bug.settled).error?.code).toBe('HANDLER_ERROR');
    const late = host.ask(cell, 'later', 'x');
    expect((await late.settled).error?.code).toBe('LATER');
    expect(await host.ask(cell, 'size').settled).toEqual({ ok: 1 });
  });

  it('restarts on a failing cast by default, and only logs it with onCastError: log', async () => {
    const host = new FakeHost();
    const restarted = host.spawn(Store, 'r');
    host.tell(restarted, 'put', ['a', 1]);
    host.tell(restarted, 'crash');
    expect(await host.ask(restarted, 'size').settled).toEqual({ ok: 0 });
    const kept = host.spawn(Store, 'k', undefined, { supervision: { onCastError: 'log' } });
    host.tell(kept, 'put', ['a', 1]);
    host.tell(kept, 'crash');
    expect(await host.ask(kept, 'size').settled).toEqual({ ok: 1 });
  });

  it('fails deferred replies with ACTOR_STOPPED when the actor stops', async () => {
    const host = new FakeHost();
    const cell = host.spawn(Store, 'd');
    const waiting = host.ask(cell, 'wait');
    expect(await host.ask(cell, 'size').settled).toEqual({ ok: 0 });
    expect(cell.openReplies).toBe(1);
    cell.requestStop('bye');
    const answer = await waiting.settled;
    expect(answer.error?.code).toBe('ACTOR_STOPPED');
    expect(waiting.thrown).toBe(false);
    expect(host.stopped).toEqual([{ name: 'd', reason: 'bye' }]);
  });

  it('lets a running async handler finish before stopping, unless forced', async () => {
    const host = new FakeHost();
    const cell = host.spawn(Store, 'a');
    const late = host.ask(cell, 'later', 'k');
    const queued = host.ask(cell, 'size');
    await Promise.resolve();
    expect(cell.busy).toBe(true);
    cell.stopNow('node stopping');
    expect(cell.stopped).toBe(false);
    expect((await late.settled).error?.code).toBe('LATER');
    expect((await queued.settled).error?.code).toBe('ACTOR_STOPPED');
    expect(cell.stopped).toBe(true);

    const hung = host.spawn(Store, 'h');
    const pending = host.ask(hung, 'hang');
    await Promise.resolve();
    hung.stopNow('node stopping');
    expect(hung.stopped).toBe(false);
    hung.forceStop('drain timed out');
    expect((await pending.settled).error?.code).toBe('ACTOR_STOPPED');
    expect(pending.calls).toBe(1);
  });

  it('suspends user messages while system messages still run', async () => {
    const host = new FakeHost();
    const cell = host.spawn(Store, 's');
    cell.suspend();
    const held = host.ask(cell, 'size');
    let answered = false;
    void held.settled.then(() => {
      answered = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false);
    expect(cell.mailboxSize).toBe(1);
    cell.resume();
    expect(await held.settled).toEqual({ ok: 0 });
    cell.suspend();
    const stuck = host.ask(cell, 'size');
    cell.requestStop('stop runs while suspended');
    expect((await stuck.settled).error?.code).toBe('ACTOR_STOPPED');
    expect(cell.stopped).toBe(true);
  });

  it('answers an unknown handler and counts a dead letter', async () => {
    const host = new FakeHost();
    const cell = host.spawn(Store, 'u');
    expect((await host.ask(cell, 'nope').settled).error?.code).toBe('UNKNOWN_HANDLER');
    expect(host.deadLetters).toEqual([{ to: 'u', handler: 'nope', reason: 'unknown handler' }]);
  });

  it('refuses names the wire cannot carry', () => {
    const host = new FakeHost();
    const room = '房'.repeat(93);
    expect(() => host.spawn(Store, room)).toThrow(InvalidActorNameError);
    expect(() => checkActorName('')).toThrow(InvalidActorNameError);
    expect(checkActorName('房'.repeat(85))).toHaveLength(85);
    expect(host.cells.size).toBe(0);
  });
});
