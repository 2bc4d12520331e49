// ResumeLog: numbering, exact replay after a count, eviction by frames and bytes, explicit failure.
import { describe, expect, it } from 'vitest';
import { ResumeFailedError } from './errors.js';
import { ResumeLog } from './resume-log.js';

const frame = (n: number, size = 4) => new Uint8Array(size).fill(n);

describe('ResumeLog', () => {
  it('numbers frames from 1 and replays exactly the ones after a count, in order', () => {
    const log = new ResumeLog({ maxFrames: 10, maxBytes: 1000 });
    for (let i = 1; i <= 5; i++) expect(log.record(frame(i))).toBe(i);
    expect(log.after(5)).toEqual([]);
    expect(log.after(2).map((f) => f[0])).toEqual([3, 4, 5]);
    expect(log.after(0).map((f) => f[0])).toEqual([1, 2, 3, 4, 5]);
  });

  it('fails explicitly once missed frames are evicted by count', () => {
    const log = new ResumeLog({ maxFrames: 3, maxBytes: 1000 });
    for (let i = 1; i <= 6; i++) log.record(frame(i));
    expect(log.after(3).map((f) => f[0])).toEqual([4, 5, 6]);
    expect(() => log.after(2)).toThrow(ResumeFailedError);
  });

  it('evicts by bytes', () => {
    const log = new ResumeLog({ maxFrames: 100, maxBytes: 10 });
    for (let i = 1; i <= 4; i++) log.record(frame(i, 4));
    expect(log.bytes).toBe(8);
    expect(log.after(2).map((f) => f[0])).toEqual([3, 4]);
    expect(() => log.after(1)).toThrow(/no longer held/);
  });

  it('refuses a count of frames never sent', () => {
    const log = new ResumeLog({ maxFrames: 3, maxBytes: 100 });
    log.record(frame(1));
    expect(() => log.after(2)).toThrow(/only 1 were sent/);
    expect(() => log.after(-1)).toThrow(ResumeFailedError);
  });

  it('stays exact across many evictions and compactions', () => {
    const log = new ResumeLog({ maxFrames: 7, maxBytes: 1 << 20 });
    for (let i = 1; i <= 5000; i++) log.record(frame(i & 0xff, 1));
    const tail = log.after(4993);
    expect(tail.map((f) => f[0])).toEqual([4994, 4995, 4996, 4997, 4998, 4999, 5000].map((n) => n & 0xff));
    expect(() => log.after(4992)).toThrow(ResumeFailedError);
  });
});
