// Static membership: the member list from a cluster config (a file or an object), no server.
import { readFileSync } from 'node:fs';
import { Addr, OptionError } from '@troupe/transport';
import { MemoryKv } from './memory-kv.js';
import type { MemberRecord, MembershipProvider, MembershipView } from './provider.js';

/** One member in a static cluster config. */
export interface StaticMember {
  addr: string | number;
  host?: string;
  port: number;
  export?: boolean;
  meta?: Record<string, unknown>;
}

/** A static cluster config, e.g. `troupe.json`: `{ "members": [...], "kv": {...} }`. */
export interface StaticConfig {
  members: StaticMember[];
  kv?: Record<string, string>;
}

function validate(config: unknown, where: string): StaticConfig {
  if (typeof config !== 'object' || config === null || !Array.isArray((config as StaticConfig).members)) {
    throw new OptionError(`${where}.members`, 'must be an array of {addr, host, port}');
  }
  const c = config as StaticConfig;
  const seen = new Set<number>();
  c.members.forEach((m, i) => {
    const at = `${where}.members[${i}]`;
    if (typeof m !== 'object' || m === null) throw new OptionError(at, 'must be an object');
    let addr: Addr;
    try {
      addr = Addr.of(m.addr as string);
    } catch (err) {
      throw new OptionError(`${at}.addr`, (err as Error).message);
    }
    if (seen.has(addr)) throw new OptionError(`${at}.addr`, `duplicate address ${Addr.format(addr)}`);
    seen.add(addr);
    if (!Number.isInteger(m.port) || m.port < 0 || m.port > 65535) {
      throw new OptionError(`${at}.port`, `must be a port number, got ${String(m.port)}`);
    }
    if (m.host !== undefined && (typeof m.host !== 'string' || m.host === '')) {
      throw new OptionError(`${at}.host`, 'must be a non-empty string');
    }
  });
  if (c.kv !== undefined) {
    for (const [k, v] of Object.entries(c.kv)) {
      if (typeof v !== 'string') throw new OptionError(`${where}.kv.${k}`, 'values must be strings');
    }
  }
  return c;
}

export class StaticMembership implements MembershipProvider {
  readonly kind = 'static';
  readonly kv: MemoryKv;
  private readonly records: MemberRecord[];
  private self: MemberRecord | undefined;
  private onView: ((view: MembershipView) => void) | undefined;

  constructor(config: StaticConfig) {
    const c = validate(config, 'static');
    this.kv = new MemoryKv(c.kv);
    this.records = c.members.map((m) => ({
      addr: Addr.of(m.addr as string),
      host: m.host ?? '127.0.0.1',
      port: m.port,
      export: m.export ?? false,
      available: true,
      load: 0,
      incarnation: '',
      meta: m.meta ?? {},
    }));
  }

  /** Reads a JSON cluster config file. */
  static fromFile(path: string): StaticMembership {
    const text = readFileSync(path, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new OptionError(path, `is not valid JSON: ${(err as Error).message}`);
    }
    return new StaticMembership(validate(parsed, path));
  }

  /** The host and port the config lists for `addr`, where a node started from it listens. */
  listenAddress(addr: Addr): { host: string; port: number } | undefined {
    const r = this.records.find((m) => m.addr === addr);
    return r === undefined ? undefined : { host: r.host, port: r.port };
  }

  async start(self: MemberRecord, onView: (view: MembershipView) => void): Promise<void> {
    this.self = self;
    this.onView = onView;
    onView(this.view());
  }

  async update(self: MemberRecord): Promise<void> {
    this.self = self;
    this.onView?.(this.view());
  }

  async stop(): Promise<void> {
    this.onView = undefined;
  }

  private view(): MembershipView {
    const self = this.self;
    const members = this.records.filter((r) => r.addr !== self?.addr);
    if (self) members.push(self);
    return { members };
  }
}

/** A static membership provider from a config object. */
export function staticMembership(config: StaticConfig | StaticMember[]): StaticMembership {
  return new StaticMembership(Array.isArray(config) ? { members: config } : config);
}
