// The supervisor's restart backoff and option checks (the process behaviour is in test/cli.test.ts).
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, restartDelay, Supervisor } from './supervisor.js';

describe('Supervisor', () => {
  it('doubles the restart delay per crash up to the maximum', () => {
    expect([1, 2, 3, 4, 8, 20].map((n) => restartDelay(n, DEFAULT_BACKOFF))).toEqual([
      100, 200, 400, 800, 10_000, 10_000,
    ]);
  });

  it('refuses backoff options that make no sense, naming them', () => {
    const make = (backoff: object) =>
      new Supervisor({
        nodes: ['1.1.1'],
        command: () => ({ file: 'x', args: [] }),
        log: pino({ level: 'silent' }),
        backoff,
      });
    expect(() => make({ baseMs: 0 })).toThrow(/backoff\.baseMs/);
    expect(() => make({ baseMs: 500, maxMs: 100 })).toThrow(/backoff\.maxMs/);
  });
});
