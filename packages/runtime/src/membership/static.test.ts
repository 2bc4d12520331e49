import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Addr, OptionError } from '@troupe/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { StaticMembership, staticMembership } from './static.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('static membership', () => {
  it('reads a cluster config file and delivers it with this node in it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'troupe-static-'));
    const file = join(dir, 'troupe.json');
    writeFileSync(
      file,
      JSON.stringify({
        members: [
          { addr: '1.1.1', host: '10.0.0.1', port: 7001 },
          { addr: '1.2.1', port: 7002, export: true },
        ],
        kv: { 'routes/login': '{"type":3}' },
      }),
    );
    const p = StaticMembership.fromFile(file);
    const views: number[][] = [];
    const self = {
      addr: Addr.parse('1.1.1'),
      host: '127.0.0.1',
      port: 7001,
      export: false,
      available: true,
      load: 0,
      incarnation: 'x',
      meta: {},
    };
    await p.start(self, (v) => views.push(v.members.map((m) => m.addr)));
    expect(views[0]).toEqual([Addr.parse('1.2.1'), Addr.parse('1.1.1')]);
    expect(await p.kv.get('routes/login')).toBe('{"type":3}');
    await p.stop();
  });

  it.each([
    [{ members: 'nope' }, /static\.members/],
    [{ members: [{ addr: '1.1.1', port: 70000 }] }, /members\[0\]\.port/],
    [
      {
        members: [
          { addr: '1.1.1', port: 1 },
          { addr: '1.1.1', port: 2 },
        ],
      },
      /members\[1\]\.addr: duplicate/,
    ],
    [{ members: [{ addr: '1.1.1', host: '', port: 1 }] }, /members\[0\]\.host/],
    [{ members: [], kv: { a: 1 } }, /kv\.a/],
  ])('refuses a malformed config naming the property (%#)', (config, message) => {
    expect(() => staticMembership(config as never)).toThrow(OptionError);
    expect(() => staticMembership(config as never)).toThrow(message);
  });

  it('refuses a bad address naming the field and the part, and a file that is not JSON', () => {
    expect(() => staticMembership([{ addr: '1.300.1', port: 1 }])).toThrow(
      /members\[0\]\.addr: address type 300/,
    );
    dir = mkdtempSync(join(tmpdir(), 'troupe-static-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ members: ');
    expect(() => StaticMembership.fromFile(file)).toThrow(/is not valid JSON/);
  });
});
