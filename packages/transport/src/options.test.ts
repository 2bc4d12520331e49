import { describe, expect, it } from 'vitest';
import { Addr } from './addr.js';
import { OptionError } from './errors.js';
import { DEFAULT_MAX_FRAME_SIZE } from './frame.js';
import { backoffDelay, MAX_DURATION_MS, resolveOptions, type TransportOptions } from './options.js';

const base: TransportOptions = {
  addr: Addr.parse('1.1.1'),
  clusterId: 'c',
  secret: 's',
  incarnation: 'i',
  resolve: () => undefined,
};

describe('transport options', () => {
  it('fills defaults derived from downTimeoutMs, and freezes the result', () => {
    const o = resolveOptions(base);
    expect(o).toMatchObject({
      listenHost: '127.0.0.1',
      listenPort: 0,
      maxFrameSize: DEFAULT_MAX_FRAME_SIZE,
      pendingLimit: 1024,
      downTimeoutMs: 2000,
      heartbeatIntervalMs: 500,
      handshakeTimeoutMs: 2000,
      connectTimeoutMs: 2000,
      reconnectBaseMs: 50,
      reconnectMaxMs: 2000,
      maxOutboundBytes: 64 * 1024 * 1024,
      readBufferSize: 1024 * 1024,
    });
    expect(Object.isFrozen(o)).toBe(true);
    expect(resolveOptions({ ...base, downTimeoutMs: 400 })).toMatchObject({
      heartbeatIntervalMs: 100,
      handshakeTimeoutMs: 400,
    });
  });

  it.each([
    [{ clusterId: '' }, 'clusterId'],
    [{ secret: '' }, 'secret'],
    [{ incarnation: '' }, 'incarnation'],
    [{ addr: 0 as Addr }, 'addr'],
    [{ resolve: undefined }, 'resolve'],
    [{ pendingLimit: 0 }, 'pendingLimit'],
    [{ pendingLimit: 1.5 }, 'pendingLimit'],
    [{ downTimeoutMs: -1 }, 'downTimeoutMs'],
    [{ downTimeoutMs: 100, heartbeatIntervalMs: 100 }, 'heartbeatIntervalMs'],
    [{ reconnectBaseMs: 100, reconnectMaxMs: 50 }, 'reconnectMaxMs'],
    [{ maxFrameSize: 10 }, 'maxFrameSize'],
    [{ maxFrameSize: 1024, maxOutboundBytes: 512 }, 'maxOutboundBytes'],
    [{ listen: { port: 70000 } }, 'listen.port'],
    [{ readBufferSize: 1000 }, 'readBufferSize'],
    [{ readBufferSize: 100_000.5 }, 'readBufferSize'],
  ])('refuses %j naming %s', (over, property) => {
    expect(() => resolveOptions({ ...base, ...(over as Partial<TransportOptions>) })).toThrow(OptionError);
    expect(() => resolveOptions({ ...base, ...(over as Partial<TransportOptions>) })).toThrow(
      `option ${property}:`,
    );
  });

  const durations = [
    'downTimeoutMs',
    'heartbeatIntervalMs',
    'handshakeTimeoutMs',
    'connectTimeoutMs',
    'reconnectBaseMs',
    'reconnectMaxMs',
    'refusalLogIntervalMs',
    'linkIdleReleaseMs',
  ] as const;
  it.each(durations)('checks %s is a duration of 1 ms .. 2^31-1 ms', (property) => {
    for (const bad of [0, 0.5, -5, 3e9, 2 ** 31, Number.POSITIVE_INFINITY, Number.NaN]) {
      const over = { [property]: bad } as Partial<TransportOptions>;
      expect(() => resolveOptions({ ...base, ...over }), `${property}: ${bad}`).toThrow(
        `option ${property}:`,
      );
    }
    // The largest timer Node.js takes is accepted (heartbeats must stay below the down timeout).
    const max = property === 'heartbeatIntervalMs' ? MAX_DURATION_MS - 1 : MAX_DURATION_MS;
    const ok = {
      [property]: max,
      ...(property === 'heartbeatIntervalMs' ? { downTimeoutMs: MAX_DURATION_MS } : {}),
    };
    expect(() => resolveOptions({ ...base, reconnectMaxMs: MAX_DURATION_MS, ...ok })).not.toThrow();
  });

  it.each([
    [{ maxHandshakeFrameSize: 10 }, 'maxHandshakeFrameSize'],
    [{ maxFrameSize: 2048, maxHandshakeFrameSize: 4096 }, 'maxHandshakeFrameSize'],
    [{ maxHandshakes: 0 }, 'maxHandshakes'],
    [{ maxOutboundBytes: 8 * 1024 * 1024, writeHighWaterMark: 9 * 1024 * 1024 }, 'writeHighWaterMark'],
    [{ tls: 'yes' }, 'tls'],
  ])('refuses the hardening option %j naming %s', (over, property) => {
    expect(() => resolveOptions({ ...base, ...(over as Partial<TransportOptions>) })).toThrow(
      `option ${property}:`,
    );
  });

  it('defaults the hardening options', () => {
    expect(resolveOptions(base)).toMatchObject({
      maxHandshakeFrameSize: 1024,
      maxHandshakes: 128,
      refusalLogIntervalMs: 10_000,
      writeHighWaterMark: 1024 * 1024,
      linkIdleReleaseMs: 60_000,
      tls: undefined,
    });
  });

  it('backs off exponentially with +-20% jitter, capped', () => {
    const o = resolveOptions({ ...base, reconnectBaseMs: 50, reconnectMaxMs: 1000 });
    expect(backoffDelay(o, 0)).toBe(0);
    expect(backoffDelay(o, 1, () => 0.5)).toBe(50);
    expect(backoffDelay(o, 3, () => 0.5)).toBe(200);
    expect(backoffDelay(o, 3, () => 0)).toBe(160);
    expect(backoffDelay(o, 3, () => 0.999999)).toBe(240);
    expect(backoffDelay(o, 40, () => 0.5)).toBe(1000);
  });
});
