// Checks durations (timeouts, intervals) against what Node's timers can hold.
import { OptionError } from '@troupe/transport';

/** The longest delay `setTimeout` keeps; longer ones fire after 1 ms. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * Returns `value` when it is a finite number of milliseconds in 1..2^31-1; throws `OptionError`
 * naming `property` otherwise (Node would turn a longer delay into 1 ms without a word).
 */
export function checkDuration(property: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > MAX_DURATION_MS) {
    throw new OptionError(property, `must be a duration of 1..${MAX_DURATION_MS} ms, got ${String(value)}`);
  }
  return value;
}
