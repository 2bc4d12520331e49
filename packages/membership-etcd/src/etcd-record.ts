// Member records as the etcd provider stores them: key layout, JSON encoding and validation.

import type { MemberRecord } from '@troupe/runtime';
import { validateRecord } from '@troupe/runtime';
import { Addr } from '@troupe/transport';

/** Sub-prefix (under the cluster prefix) of member records: `members/<g.t.p>`. */
export const MEMBERS_DIR = 'members/';
/** Sub-prefix (under the cluster prefix) of the KV store. */
export const KV_DIR = 'kv/';
/**
 * Suffix of the marker a node writes beside its record when it deregisters (`members/<g.t.p>/left`),
 * in the same transaction that deletes the record. Watchers that see the marker report the removal
 * as `deregistered`; a record deleted without it went with its lease.
 */
export const LEFT_SUFFIX = '/left';

/** Key of a member's record, relative to the members prefix. */
export function memberKey(addr: Addr): string {
  return Addr.format(addr);
}

/** Key of a member's deregistration marker, relative to the members prefix. */
export function leftKey(addr: Addr): string {
  return Addr.format(addr) + LEFT_SUFFIX;
}

/** The JSON stored for a record; `addr` is the u32. */
export function encodeRecord(record: MemberRecord): string {
  return JSON.stringify(record);
}

/**
 * Parses the value stored under `members/<key>`. Returns the record, or the reason it is not one:
 * bad JSON, a bad field, or an `addr` that does not match the key (a record cannot claim another
 * node's address).
 */
export function decodeRecord(key: string, raw: string): MemberRecord | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return 'value is not JSON';
  }
  let record: MemberRecord;
  try {
    record = validateRecord(parsed);
  } catch (err) {
    return (err as Error).message;
  }
  if (Addr.format(record.addr) !== key)
    return `record addr ${Addr.format(record.addr)} does not match its key`;
  return record;
}
