// The embedded center: restart with persistence, re-registration, and refused registrations.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Addr, centerMembership, Node, RegistrationError } from '@troupe/runtime';
import { createTestCluster, type TestCluster, waitFor } from '@troupe/runtime/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Counter } from './actors.js';

let cluster: TestCluster | undefined;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
  for (const c of cleanups.splice(0)) await c();
});

describe('center membership', () => {
  it('survives a center restart: nodes re-register without restarting and the KV persists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-center-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cluster = await createTestCluster({
      membership: 'center',
      nodes: ['1.1.1', '1.2.1', '1.3.1'],
      centerPersistFile: join(dir, 'center.json'),
      leaseMs: 900,
    });
    const b = cluster.node('1.2.1');
    const c = cluster.node('1.3.1');
    c.spawn(Counter, { name: 'counter', args: { start: 0 } });
    await b.membership.kv.put('routes/chat', '3');
    const flaps: string[] = [];
    b.on('memberDown', (m) => flaps.push(Addr.format(m.addr)));

    const center = await cluster.restart('1.1.1');
    await waitFor(() => center.members().length === 3, 5000, 'nodes re-registered with the new center');
    expect(await center.membership.kv.get('routes/chat')).toBe('3');
    expect(await b.membership.kv.get('routes/chat')).toBe('3');
    // b and c never lost sight of each other and keep talking.
    expect(flaps.filter((a) => a !== '1.1.1')).toEqual([]);
    expect(await b.ref<typeof Counter>('1.3.1', 'counter').call.add(1)).toBe(1);
    await waitFor(
      () => b.members().some((m) => m.addr === center.addr && m.incarnation === center.incarnation),
      5000,
      'b sees the new center',
    );
  });

  it('refuses a hostile registration and breaks nothing else', async () => {
    cluster = await createTestCluster({ membership: 'center', nodes: ['1.1.1', '1.2.1'] });
    const live = cluster.node('1.2.1');
    live.spawn(Counter, { name: 'counter', args: { start: 0 } });
    const center = { addr: '1.1.1', port: cluster.port('1.1.1') };
    const secret = 'test-cluster-secret';

    // Address already held by a live node with another incarnation.
    const impostor = Node.start({
      addr: '1.2.1',
      secret,
      membership: centerMembership({ center, startTimeoutMs: 2000 }),
    });
    await expect(impostor).rejects.toBeInstanceOf(RegistrationError);

    // A malformed record sent straight to the registry.
    const a = cluster.node('1.1.1');
    const registry = a.ref({ node: a.addr, name: 'troupe.registry' });
    for (const bad of [
      {
        record: { addr: 0xffffffff + 5, host: 'x', port: 1, incarnation: 'i' },
        client: { node: 1, name: 'x' },
      },
      {
        record: { addr: Addr.parse('1.5.1'), host: '', port: 1, incarnation: 'i' },
        client: { node: 1, name: 'x' },
      },
      {
        record: { addr: Addr.parse('1.5.1'), host: 'h', port: 70000, incarnation: 'i' },
        client: { node: 1, name: 'x' },
      },
      'garbage',
    ]) {
      await expect(registry.ask('register', bad)).rejects.toMatchObject({ code: 'REGISTRATION_REFUSED' });
    }

    // The live holder is untouched.
    expect(a.members().some((m) => m.addr === live.addr && m.incarnation === live.incarnation)).toBe(true);
    expect(await a.ref<typeof Counter>(live.addr, 'counter').call.add(2)).toBe(2);
    await waitFor(() => a.members().length === 2, 2000, 'view unchanged');
  });
});
