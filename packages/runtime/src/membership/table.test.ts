import { Addr } from '@troupe/transport';
import { describe, expect, it } from 'vitest';
import type { MemberRecord } from './provider.js';
import { MemberTable } from './table.js';

const SELF = Addr.parse('1.1.1');

function rec(addr: string, extra: Partial<MemberRecord> = {}): MemberRecord {
  return {
    addr: Addr.parse(addr),
    host: '127.0.0.1',
    port: 1000,
    export: false,
    available: true,
    load: 0,
    incarnation: `inc-${addr}`,
    meta: {},
    ...extra,
  };
}

function setup() {
  const table = new MemberTable(SELF);
  const events: string[] = [];
  table.on('memberUp', (m) => events.push(`up ${Addr.format(m.addr)}`));
  table.on('memberDown', (m, r) => events.push(`down ${Addr.format(m.addr)} ${r}`));
  table.on('memberChanged', (m) => events.push(`changed ${Addr.format(m.addr)}`));
  return { table, events };
}

describe('member table', () => {
  it('bumps its version only when a view changes something', () => {
    const { table, events } = setup();
    const view = { members: [rec('1.1.1'), rec('1.2.1'), rec('1.3.1')] };
    table.applyView(view);
    const v = table.version;
    expect(v).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) table.applyView({ members: [rec('1.1.1'), rec('1.2.1'), rec('1.3.1')] });
    expect(table.version).toBe(v);
    table.applyView({ members: [rec('1.1.1'), rec('1.2.1', { load: 5 }), rec('1.3.1')] });
    expect(table.version).toBe(v + 1);
    table.applyView({ members: [rec('1.1.1'), rec('1.2.1', { load: 5 })] });
    expect(table.version).toBe(v + 2);
    expect(events).toEqual([
      'up 1.1.1',
      'up 1.2.1',
      'up 1.3.1',
      'changed 1.2.1',
      'down 1.3.1 left the cluster',
    ]);
  });

  it('bumps the version before listeners run, so they see fresh caches', () => {
    const { table } = setup();
    let seen = -1;
    table.on('memberUp', () => {
      seen = table.version;
    });
    table.applyView({ members: [rec('1.2.1')] });
    expect(seen).toBe(table.version);
  });

  it('a partial view adds but never removes; a restarted incarnation is down then up', () => {
    const { table, events } = setup();
    table.applyView({ members: [rec('1.2.1'), rec('1.3.1')] });
    table.applyView({ members: [rec('1.2.1', { incarnation: 'new' })], partial: true });
    expect(
      table
        .members()
        .map((m) => Addr.format(m.addr))
        .sort(),
    ).toEqual(['1.2.1', '1.3.1']);
    expect(events.slice(2)).toEqual(['down 1.2.1 restarted with a new incarnation', 'up 1.2.1']);
  });

  it('link down and up flip liveness; other groups are seen only when exported or harbors', () => {
    const { table, events } = setup();
    table.applyView({
      members: [rec('1.2.1'), rec('2.1.1'), rec('2.2.1', { export: true }), rec('2.255.1')],
    });
    expect(
      table
        .members()
        .map((m) => Addr.format(m.addr))
        .sort(),
    ).toEqual(['1.2.1', '2.2.1', '2.255.1']);
    expect(table.linkDown(Addr.parse('1.2.1'), 'silent')).toBe(true);
    expect(table.isAlive(Addr.parse('1.2.1'))).toBe(false);
    expect(table.suspected()).toEqual([Addr.parse('1.2.1')]);
    table.linkUp(Addr.parse('1.2.1'), 'inc-1.2.1');
    expect(table.isAlive(Addr.parse('1.2.1'))).toBe(true);
    expect(events.filter((e) => e.includes('1.2.1'))).toEqual(['up 1.2.1', 'down 1.2.1 silent', 'up 1.2.1']);
    expect(table.harbors(2).map((m) => Addr.format(m.addr))).toEqual(['2.255.1']);
    expect(table.candidates(2).map((m) => Addr.format(m.addr))).toEqual(['1.2.1', '2.2.1']);
  });
});
