// Graceful stop: the first signal stops cleanly and exits 0, a second one exits at once.
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { onShutdown } from './signals.js';

const log = pino({ level: 'silent' });

describe('onShutdown', () => {
  it('stops on the first signal and exits 0 once the stop is done', async () => {
    const source = new EventEmitter();
    const exits: number[] = [];
    let finish!: () => void;
    const stopped = new Promise<void>((r) => {
      finish = r;
    });
    const reasons: string[] = [];
    const exited = new Promise<void>((resolve) => {
      onShutdown(
        (reason) => {
          reasons.push(reason);
          return stopped;
        },
        {
          log,
          source,
          exit: (code) => {
            exits.push(code);
            resolve();
          },
        },
      );
    });
    source.emit('SIGTERM');
    expect(reasons).toEqual(['SIGTERM']);
    expect(exits).toEqual([]); // still stopping
    finish();
    await exited;
    expect(exits).toEqual([0]);
  });

  it('a second signal while stopping exits at once, after the force hook', () => {
    const source = new EventEmitter();
    const events: string[] = [];
    onShutdown(() => new Promise(() => {}), {
      log,
      source,
      exit: (code) => events.push(`exit ${code}`),
      force: () => events.push('force'),
    });
    source.emit('SIGINT');
    source.emit('SIGINT');
    expect(events).toEqual(['force', 'exit 130']);
  });

  it('exits 1 when the stop fails, and the returned function removes the handlers', async () => {
    const source = new EventEmitter();
    const code = await new Promise<number>((resolve) => {
      const off = onShutdown(() => Promise.reject(new Error('stuck')), { log, source, exit: resolve });
      source.emit('SIGINT');
      off();
    });
    expect(code).toBe(1);
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
  });
});
