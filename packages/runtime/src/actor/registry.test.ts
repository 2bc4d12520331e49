import { describe, expect, it } from 'vitest';
import { defineActor } from './define.js';
import { FakeHost } from './fake-host.fixture.js';
import { CellRegistry } from './registry.js';

const Slow = defineActor({
  init: () => ({ n: 0 }),
  handlers: {
    bump(state) {
      return ++state.n;
    },
    async finish(state, gate: Promise<void>) {
      await gate;
      return state.n;
    },
    never() {
      return new Promise(() => {});
    },
  },
});

function setup() {
  const host = new FakeHost();
  const cells = new CellRegistry();
  host.cellStopped = (cell) => {
    cells.delete(cell.id.name);
  };
  const spawn = (name: string) => {
    const cell = host.spawn(Slow, name);
    cells.set(name, cell);
    return cell;
  };
  return { host, cells, spawn };
}

describe('cell registry', () => {
  it('suspends and resumes a named mailbox', async () => {
    const { host, cells, spawn } = setup();
    const cell = spawn('session');
    expect(cells.suspend('session')).toBe(true);
    expect(cells.isSuspended('session')).toBe(true);
    const held = host.ask(cell, 'bump');
    await new Promise((r) => setImmediate(r));
    expect(cell.mailboxSize).toBe(1);
    expect(cells.resume('session')).toBe(true);
    expect(await held.settled).toEqual({ ok: 1 });
    expect(cells.suspend('nobody')).toBe(false);
    expect(cells.resume('nobody')).toBe(false);
  });

  it('stopAll waits for running handlers, then forces what is left after the drain bound', async () => {
    const { host, cells, spawn } = setup();
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const finishing = host.ask(spawn('a'), 'finish', gate);
    const hung = host.ask(spawn('b'), 'never');
    spawn('idle');
    await new Promise((r) => setImmediate(r));
    const stopping = cells.stopAll('node stopping', 50);
    expect(cells.has('idle')).toBe(false);
    open();
    expect(await finishing.settled).toEqual({ ok: 0 });
    await stopping;
    expect((await hung.settled).error?.code).toBe('ACTOR_STOPPED');
    expect(cells.size).toBe(0);
  });

  it('stopAll returns as soon as the last busy actor is done', async () => {
    const { host, cells, spawn } = setup();
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    host.ask(spawn('a'), 'finish', gate);
    await new Promise((r) => setImmediate(r));
    const stopping = cells.stopAll('node stopping', 60_000);
    open();
    await stopping;
    expect(cells.size).toBe(0);
  });
});
