// The node's view of the cluster: diffs provider views and link events into memberUp/Down/Changed.
import { Addr } from '@troupe/transport';
import { EventEmitter } from 'eventemitter3';
import type { MemberRecord, MembershipView } from './provider.js';

export interface MemberTableEvents {
  memberUp: (member: MemberRecord) => void;
  memberDown: (member: MemberRecord, reason: string) => void;
  memberChanged: (member: MemberRecord, previous: MemberRecord) => void;
}

interface Entry {
  record: MemberRecord;
  /** Reachable: in the view and its link not declared down. */
  alive: boolean;
  /** The provider does not know incarnations (static): they are learned from link handshakes. */
  learnsIncarnation: boolean;
}

/** A member filter for `members()`. */
export interface MemberFilter {
  type?: number;
  group?: number;
  available?: boolean;
}

/**
 * Members come from the provider's views, filtered to what this node may see: its own group,
 * exported members of other groups, and every harbor. A member whose link is declared down is
 * reported down until its link comes back or the provider drops it.
 */
export class MemberTable extends EventEmitter<MemberTableEvents> {
  private readonly entries = new Map<number, Entry>();
  /** Bumped on every change of a record or of liveness; caches of routes compare against it. */
  version = 0;
  private harborCache = new Map<number, MemberRecord[]>();
  private harborCacheVersion = -1;

  constructor(private readonly self: Addr) {
    super();
  }

  /** Whether this node may see `record`. */
  visible(record: MemberRecord): boolean {
    return Addr.group(record.addr) === Addr.group(this.self) || record.export || Addr.isHarbor(record.addr);
  }

  /** Applies a provider's view; the version moves only when a record or a liveness changed. */
  applyView(view: MembershipView): void {
    // The first change bumps the version, before any listener runs (route caches compare against it).
    let changed = false;
    const change = () => {
      if (changed) return;
      changed = true;
      this.version++;
    };
    const seen = new Set<number>();
    for (let record of view.members) {
      if (!this.visible(record)) continue;
      seen.add(record.addr);
      const entry = this.entries.get(record.addr);
      if (entry === undefined) {
        change();
        this.entries.set(record.addr, { record, alive: true, learnsIncarnation: record.incarnation === '' });
        this.emit('memberUp', record);
        continue;
      }
      const prev = entry.record;
      if (entry.learnsIncarnation && record.incarnation === '')
        record = { ...record, incarnation: prev.incarnation };
      if (prev.incarnation !== record.incarnation && prev.incarnation !== '' && record.incarnation !== '') {
        change();
        entry.record = record;
        if (entry.alive) this.emit('memberDown', prev, 'restarted with a new incarnation');
        entry.alive = true;
        this.emit('memberUp', record);
        continue;
      }
      if (!sameRecord(prev, record)) {
        change();
        entry.record = record;
        if (entry.alive) this.emit('memberChanged', record, prev);
      }
    }
    if (!view.partial) {
      for (const [addr, entry] of [...this.entries]) {
        if (seen.has(addr) || addr === this.self) continue;
        change();
        this.entries.delete(addr);
        if (entry.alive)
          this.emit('memberDown', entry.record, view.reasons?.get(addr as Addr) ?? 'left the cluster');
      }
    }
  }

  /** The link to `addr` was declared down. Returns whether a memberDown was reported. */
  linkDown(addr: number, reason: string): boolean {
    const entry = this.entries.get(addr);
    if (entry === undefined || !entry.alive || addr === this.self) return false;
    this.version++;
    entry.alive = false;
    this.emit('memberDown', entry.record, reason);
    return true;
  }

  /** `addr` answered a probe through harbors: alive again, though no direct link exists. */
  reachable(addr: number): void {
    const entry = this.entries.get(addr);
    if (entry === undefined || entry.alive) return;
    this.version++;
    entry.alive = true;
    this.emit('memberUp', entry.record);
  }

  /** The link to `addr` came up with `incarnation`. */
  linkUp(addr: number, incarnation: string): void {
    const entry = this.entries.get(addr);
    if (entry === undefined) return;
    if (entry.learnsIncarnation && entry.record.incarnation !== incarnation) {
      this.version++;
      entry.record = { ...entry.record, incarnation };
    }
    if (!entry.alive) {
      this.version++;
      entry.alive = true;
      this.emit('memberUp', entry.record);
    }
  }

  get(addr: number): MemberRecord | undefined {
    return this.entries.get(addr)?.record;
  }

  isAlive(addr: number): boolean {
    return this.entries.get(addr)?.alive === true;
  }

  /** Addresses in the view whose link is down (to probe). */
  suspected(): number[] {
    const out: number[] = [];
    for (const [addr, e] of this.entries) if (!e.alive) out.push(addr);
    return out;
  }

  /** Alive members, optionally filtered. */
  members(filter?: MemberFilter): MemberRecord[] {
    const out: MemberRecord[] = [];
    for (const e of this.entries.values()) {
      if (!e.alive) continue;
      const r = e.record;
      if (filter?.type !== undefined && Addr.type(r.addr) !== filter.type) continue;
      if (filter?.group !== undefined && Addr.group(r.addr) !== filter.group) continue;
      if (filter?.available !== undefined && r.available !== filter.available) continue;
      out.push(r);
    }
    return out;
  }

  /** Alive harbors of `group`, in address order (cached until the table changes; do not mutate). */
  harbors(group: number): readonly MemberRecord[] {
    if (this.harborCacheVersion !== this.version) {
      this.harborCache = new Map();
      this.harborCacheVersion = this.version;
    }
    let cached = this.harborCache.get(group);
    if (cached === undefined) {
      cached = this.collectHarbors(group);
      this.harborCache.set(group, cached);
    }
    return cached;
  }

  private collectHarbors(group: number): MemberRecord[] {
    const out: MemberRecord[] = [];
    for (const e of this.entries.values()) {
      if (e.alive && Addr.isHarbor(e.record.addr) && Addr.group(e.record.addr) === group) out.push(e.record);
    }
    out.sort((a, b) => a.addr - b.addr);
    return out;
  }

  /** Candidates for `pick(type)`: alive and available; other groups only if exported. */
  candidates(type: number): MemberRecord[] {
    const out: MemberRecord[] = [];
    for (const e of this.entries.values()) {
      const r = e.record;
      if (!e.alive || !r.available || Addr.type(r.addr) !== type) continue;
      if (Addr.group(r.addr) !== Addr.group(this.self) && !r.export) continue;
      out.push(r);
    }
    out.sort((a, b) => a.addr - b.addr);
    return out;
  }
}

function sameRecord(a: MemberRecord, b: MemberRecord): boolean {
  return (
    a.host === b.host &&
    a.port === b.port &&
    a.export === b.export &&
    a.available === b.available &&
    a.load === b.load &&
    a.incarnation === b.incarnation &&
    JSON.stringify(a.meta) === JSON.stringify(b.meta)
  );
}
