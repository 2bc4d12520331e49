// Validation of member records that arrive from outside (registrations, stored values).
import { Addr } from '@troupe/transport';
import { RegistrationError } from '../errors.js';
import type { MemberRecord } from './provider.js';

/** Checks an untrusted record and returns a clean copy; throws `RegistrationError` naming the field. */
export function validateRecord(value: unknown): MemberRecord {
  if (typeof value !== 'object' || value === null) throw new RegistrationError('record must be an object');
  const r = value as Record<string, unknown>;
  let addr: Addr;
  try {
    addr = Addr.from(r.addr as number);
  } catch (err) {
    throw new RegistrationError(`bad address: ${(err as Error).message}`);
  }
  if (typeof r.host !== 'string' || r.host.length === 0 || r.host.length > 255) {
    throw new RegistrationError('bad host: must be a non-empty string');
  }
  if (typeof r.port !== 'number' || !Number.isInteger(r.port) || r.port < 1 || r.port > 65535) {
    throw new RegistrationError(`bad port: ${String(r.port)}`);
  }
  if (typeof r.incarnation !== 'string' || r.incarnation.length === 0 || r.incarnation.length > 128) {
    throw new RegistrationError('bad incarnation: must be a non-empty string');
  }
  const load = typeof r.load === 'number' && Number.isFinite(r.load) ? r.load : 0;
  const meta =
    typeof r.meta === 'object' && r.meta !== null && !Array.isArray(r.meta)
      ? (r.meta as Record<string, unknown>)
      : {};
  return {
    addr,
    host: r.host,
    port: r.port,
    export: r.export === true,
    available: r.available !== false,
    load,
    incarnation: r.incarnation,
    meta,
  };
}
