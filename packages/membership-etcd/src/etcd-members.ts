// The member set an etcd provider keeps: records by key as read or watched, and the views it delivers.

import type { MemberRecord, MembershipView } from '@troupe/runtime';
import type { Addr } from '@troupe/transport';
import type { IKeyValue } from 'etcd3';
import type { Logger } from 'pino';
import { decodeRecord, LEFT_SUFFIX } from './etcd-record.js';

interface Entry {
  raw: string;
  record: MemberRecord;
  /** The etcd lease the record lives under ('0' for none). */
  lease: string;
}

export class EtcdMemberSet {
  /** Members by key (`g.t.p`). */
  private readonly members = new Map<string, Entry>();
  /** Keys whose deregistration marker is present: their deletion is a `deregistered`. */
  private readonly leaving = new Set<string>();
  /** Invalid keys already warned about, with the revision warned at. */
  private readonly warned = new Map<string, string>();
  /** Raw records of the last delivered view, by address. */
  private delivered = new Map<Addr, string>();

  constructor(private readonly log: Logger) {}

  /** A watched put: a record, a deregistration marker, or garbage (ignored, warned once). */
  put(key: string, kv: IKeyValue, reasons: Map<Addr, string>): void {
    if (key.endsWith(LEFT_SUFFIX)) {
      this.leaving.add(key.slice(0, -LEFT_SUFFIX.length));
      return;
    }
    const raw = kv.value.toString();
    const record = decodeRecord(key, raw);
    if (typeof record === 'string') {
      this.warnInvalid(key, kv.mod_revision, record);
      const old = this.members.get(key);
      if (old) {
        this.members.delete(key);
        reasons.set(old.record.addr, 'invalid record');
      }
      return;
    }
    this.warned.delete(key);
    this.leaving.delete(key);
    this.members.set(key, { raw, record, lease: kv.lease });
  }

  /** A watched delete: with a marker it is a deregistration, else a lease expiry. */
  delete(key: string, reasons: Map<Addr, string>): void {
    if (key.endsWith(LEFT_SUFFIX)) {
      this.leaving.delete(key.slice(0, -LEFT_SUFFIX.length));
      return;
    }
    this.warned.delete(key);
    const old = this.members.get(key);
    if (!old) return;
    this.members.delete(key);
    const expired = !this.leaving.has(key) && old.lease !== '0';
    reasons.set(old.record.addr, expired ? 'lease expired' : 'deregistered');
  }

  /** Replaces everything with a full read of the prefix. */
  replace(kvs: IKeyValue[]): void {
    this.members.clear();
    this.leaving.clear();
    for (const kv of kvs) {
      const key = kv.key.toString();
      if (key.endsWith(LEFT_SUFFIX)) {
        this.leaving.add(key.slice(0, -LEFT_SUFFIX.length));
        continue;
      }
      const raw = kv.value.toString();
      const record = decodeRecord(key, raw);
      if (typeof record === 'string') this.warnInvalid(key, kv.mod_revision, record);
      else this.members.set(key, { raw, record, lease: kv.lease });
    }
  }

  /** A full view when the set differs from the last one returned (or `force`), else undefined. */
  changedView(reasons: Map<Addr, string>, force: boolean): MembershipView | undefined {
    const next = new Map<Addr, string>();
    for (const e of this.members.values()) next.set(e.record.addr, e.raw);
    let changed = force || next.size !== this.delivered.size;
    if (!changed) {
      for (const [addr, raw] of next) {
        if (this.delivered.get(addr) !== raw) {
          changed = true;
          break;
        }
      }
    }
    if (!changed) return undefined;
    const gone = new Map<Addr, string>();
    for (const addr of this.delivered.keys()) {
      if (!next.has(addr)) gone.set(addr, reasons.get(addr) ?? 'deregistered');
    }
    this.delivered = next;
    const members = [...this.members.values()].map((e) => e.record).sort((a, b) => a.addr - b.addr);
    return gone.size > 0 ? { members, reasons: gone } : { members };
  }

  private warnInvalid(key: string, revision: string, reason: string): void {
    if (this.warned.get(key) === revision) return;
    this.warned.set(key, revision);
    this.log.warn({ key, reason }, 'ignoring an invalid member record');
  }
}
