// Member records as the etcd provider stores them: key layout, JSON encoding and validation.
import { Addr } from '@troupe/transport';
import { RegistrationError } from '../errors.js';
import type { MemberRecord } from './provider.js';

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
 * Checks a record from outside the type system and returns a copy with exactly the known fields.
 * Throws `RegistrationError` naming the first field that is wrong.
 */
export function validateRecord(value: unknown): MemberRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RegistrationError('member record must be an object');
  }
  const r = value as Record<string, unknown>;
  let addr: Addr;
  try {
    if (typeof r.addr !== 'number') throw new Error(`addr must be a number, got ${typeof r.addr}`);
    addr = Addr.from(r.addr);
  } catch (err) {
    throw new RegistrationError(`member record addr is invalid: ${(err as Error).message}`);
  }
  if (typeof r.host !== 'string' || r.host.trim() === '') {
    throw new RegistrationError(`member record ${Addr.format(addr)}: host must be a non-empty string`);
  }
  if (typeof r.port !== 'number' || !Number.isInteger(r.port) || r.port < 1 || r.port > 65535) {
    throw new RegistrationError(`member record ${Addr.format(addr)}: port must be an integer 1..65535`);
  }
  if (typeof r.incarnation !== 'string' || r.incarnation === '') {
    throw new RegistrationError(`member record ${Addr.format(addr)}: incarnation must be a non-empty string`);
  }
  if (typeof r.export !== 'boolean') {
    throw new RegistrationError(`member record ${Addr.format(addr)}: export must be a boolean`);
  }
  if (typeof r.available !== 'boolean') {
    throw new RegistrationError(`member record ${Addr.format(addr)}: available must be a boolean`);
  }
  if (typeof r.load !== 'number' || !Number.isFinite(r.load)) {
    throw new RegistrationError(`member record ${Addr.format(addr)}: load must be a finite number`);
  }
  if (typeof r.meta !== 'object' || r.meta === null || Array.isArray(r.meta)) {
    throw new RegistrationError(`member record ${Addr.format(addr)}: meta must be an object`);
  }
  return {
    addr,
    host: r.host,
    port: r.port,
    export: r.export,
    available: r.available,
    load: r.load,
    incarnation: r.incarnation,
    meta: r.meta as Record<string, unknown>,
  };
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
