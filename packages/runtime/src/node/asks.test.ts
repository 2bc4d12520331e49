import { ClosedError, NodeDownError, OptionError } from '@troupe/transport';
import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../errors.js';
import { AskTable } from './asks.js';

const target = { node: 0x00101001, name: 'x' };

describe('ask table', () => {
  it('gives asks random, distinct ids', () => {
    const table = new AskTable();
    const asks = Array.from({ length: 200 }, () => table.create(target, 'h', 1000, undefined));
    const ids = asks.map((a) => a.id);
    expect(new Set(ids).size).toBe(200);
    // Not a sequence: consecutive ids differ by more than a counter would.
    const steps = ids.slice(1).filter((id, i) => Math.abs(id - ids[i]!) === 1).length;
    expect(steps).toBeLessThan(5);
    table.rejectAll(new ClosedError('test'));
    for (const a of asks) void a.promise.catch(() => {});
  });

  it('skips ids that are taken or zero', () => {
    const draws = [7, 0, 7, 0x40000007, 9];
    const table = new AskTable(() => draws.shift() ?? 11);
    const a = table.create(target, 'h', 1000, undefined);
    const b = table.create(target, 'h', 1000, undefined);
    expect([a.id, b.id]).toEqual([7, 9]);
    table.rejectAll(new ClosedError('test'));
    void a.promise.catch(() => {});
    void b.promise.catch(() => {});
  });

  it('refuses a timeout that is not a duration, naming timeoutMs', async () => {
    const table = new AskTable();
    for (const bad of [Infinity, 3e9, 0, -1, Number.NaN]) {
      const ask = table.create(target, 'h', bad, undefined);
      await expect(ask.promise).rejects.toThrow(OptionError);
      await expect(ask.promise).rejects.toThrow(/timeoutMs/);
    }
    expect(table.size).toBe(0);
  });

  it('settles local asks on rejectAll and remote ones on peerDown; only remote ones take replies', async () => {
    const table = new AskTable();
    const local = table.create(target, 'h', 1000, undefined);
    const remote = table.create(target, 'h', 1000, undefined);
    table.track(remote, 5, 5, undefined);
    expect(table.get(local.id)).toBeUndefined();
    expect(table.get(remote.id)).toBe(remote);
    expect(table.peerDown(5, 'gone')).toBe(1);
    await expect(remote.promise).rejects.toBeInstanceOf(NodeDownError);
    expect(table.size).toBe(1);
    table.rejectAll(new ClosedError('node'));
    await expect(local.promise).rejects.toBeInstanceOf(ClosedError);
    expect(table.size).toBe(0);
  });

  it('times out a short ask armed behind a long one, never early, and every due ask in one sweep', async () => {
    const table = new AskTable();
    const long = table.create(target, 'h', 60_000, undefined);
    const t0 = performance.now();
    const short = Array.from({ length: 3 }, () => table.create(target, 'h', 20, undefined));
    for (const ask of short) await expect(ask.promise).rejects.toBeInstanceOf(TimeoutError);
    await expect(short[0]!.promise).rejects.toThrow(/timed out after 20 ms/);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(19);
    expect(long.settled).toBe(false);
    long.ok(1);
    expect(await long.promise).toBe(1);
  });

  it('keeps the process alive by no timer of its own, and still times out', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const table = new AskTable();
    const long = table.create(target, 'h', 60_000, undefined);
    const short = table.create(target, 'h', 10, undefined);
    expect(timers()).toBe(before);
    await expect(short.promise).rejects.toBeInstanceOf(TimeoutError);
    long.ok(1);
    // A later ask after the table emptied is still timed out by the timer left armed.
    const again = table.create(target, 'h', 10, undefined);
    await expect(again.promise).rejects.toBeInstanceOf(TimeoutError);
    table.rejectAll(new Error('stopped'));
    expect(timers()).toBe(before);
  });
});
