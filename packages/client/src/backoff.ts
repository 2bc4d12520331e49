// Reconnect delays: exponential with full jitter, as centrifuge-js computes them.

/**
 * The delay before reconnect attempt `attempt` (0-based): `min + random(0, min(max, min * 2^attempt))`, capped at
 * `max`. Full jitter spreads a crowd of clients dropped together by one gateway restart.
 */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 31));
  return Math.min(maxMs, minMs + Math.floor(random() * (ceiling + 1)));
}
