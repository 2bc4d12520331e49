// Observer mode: a node that sees the cluster and calls it, but is never picked. Its record says so.
import type { MemberRecord } from '../membership/provider.js';

/** The `meta` key an observer's member record carries (every provider carries `meta` unchanged). */
export const OBSERVER_META = 'troupe.observer';

/** Whether a member record is an observer's. */
export function isObserver(record: MemberRecord): boolean {
  return record.meta[OBSERVER_META] === true;
}

/** `meta` with the observer mark set (or cleared). */
export function markObserver(meta: Record<string, unknown>, observer: boolean): Record<string, unknown> {
  if (!observer) {
    if (!(OBSERVER_META in meta)) return meta;
    const { [OBSERVER_META]: _dropped, ...rest } = meta;
    return rest;
  }
  return { ...meta, [OBSERVER_META]: true };
}
