// Client options: defaults, merging and validation naming the property.

import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './errors.js';
import { DEFAULT_CLIENT_OPTIONS, resolveOptions } from './options.js';

describe('resolveOptions', () => {
  it('merges over the defaults (centrifuge-js delays, socket.io-client attempts) and freezes', () => {
    const options = resolveOptions({ requestTimeoutMs: 50, reconnect: { maxDelayMs: 1_000 } });
    expect(options.requestTimeoutMs).toBe(50);
    expect(options.reconnect).toEqual({
      enabled: true,
      minDelayMs: 500,
      maxDelayMs: 1_000,
      maxAttempts: Infinity,
    });
    expect(options.connectTimeoutMs).toBe(DEFAULT_CLIENT_OPTIONS.connectTimeoutMs);
    expect(Object.isFrozen(options) && Object.isFrozen(options.reconnect)).toBe(true);
    expect(resolveOptions({ reconnect: false }).reconnect.enabled).toBe(false);
  });

  it('names the property of an invalid option', () => {
    const bad: Array<[object, string]> = [
      [{ requestTimeoutMs: 0 }, 'requestTimeoutMs'],
      [{ heartbeatMs: 1.5 }, 'heartbeatMs'],
      [{ maxQueuedFrames: -1 }, 'maxQueuedFrames'],
      [{ reconnect: { minDelayMs: 100, maxDelayMs: 50 } }, 'reconnect.maxDelayMs'],
      [{ reconnect: { maxAttempts: 0 } }, 'reconnect.maxAttempts'],
      [{ hello: false, ticket: 't' }, 'ticket'],
    ];
    for (const [options, property] of bad) {
      expect(() => resolveOptions(options)).toThrow(InvalidOptionError);
      expect(() => resolveOptions(options)).toThrow(`option ${property}:`);
    }
  });
});
