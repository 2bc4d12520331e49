// Extensions over real nodes: a frame kind and system actor of their own, activation, multicast, events, delivery.
import { Addr, decodeBody } from '@troupe/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { defineActor } from '../actor/define.js';
import { ActorNotFoundError } from '../errors.js';
import type { MemberRecord } from '../membership/provider.js';
import { createTestCluster, type TestCluster } from '../testing/cluster.js';
import { waitFor } from '../testing/wait.js';
import { type Extension, type ExtensionHost, ExtensionKinds, type LocalMessage } from './extension.js';
import { Kind } from './protocol.js';
import { ExtensionExistsError, FrameKindTakenError, InvalidFrameKindError } from './seam-errors.js';

const link = { downTimeoutMs: 800, heartbeatIntervalMs: 100, reconnectBaseMs: 20, reconnectMaxMs: 200 };
let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const Log = defineActor({
  init: () => ({ seen: [] as unknown[] }),
  handlers: {
    add(state, value: unknown) {
      state.seen.push(value);
    },
    seen(state) {
      return state.seen;
    },
  },
});

/** A "greeter" extension: its own frame kind, its own system actor, nothing in the core changed. */
function greeter(): Extension & { host?: ExtensionHost } {
  const ext: Extension & { host?: ExtensionHost } = {
    name: 'greeter',
    start(host) {
      ext.host = host;
      host.spawnSystem(Log, 'greeter.log');
      host.onFrame(ExtensionKinds.User, (frame, via) => {
        const body = decodeBody(frame.flags, frame.body) as { text: string };
        host.deliver('greeter.log', {
          handler: 'add',
          arg: `${body.text} from ${Addr.format(via)}`,
          sender: undefined,
          replyTo: undefined,
        });
      });
      host.addStats(() => ({ greeted: true }));
    },
  };
  return ext;
}

describe('extensions', () => {
  it('add a frame kind and a system actor without touching the core', async () => {
    const a = greeter();
    const b = greeter();
    cluster = await createTestCluster({
      nodes: ['1.1.1', '1.2.1'],
      nodeOptions: { link },
      perNode: { '1.1.1': { extensions: [a] }, '1.2.1': { extensions: [b] } },
    });
    a.host!.send(Addr.parse('1.2.1'), ExtensionKinds.User, { text: 'hello' });
    const log = cluster.node('1.1.1').ref<typeof Log>('1.2.1', 'greeter.log');
    await waitFor(async () => (await log.call.seen()).length === 1, 5000, 'the greeting');
    expect(await log.call.seen()).toEqual(['hello from 1.1.1']);
  });

  it('refuse a kind claimed twice, a core kind, a kind out of range and a duplicate name', async () => {
    const claims: Array<(host: ExtensionHost) => void> = [
      (h) => h.onFrame(Kind.Tell, () => {}),
      (h) => h.onFrame(300, () => {}),
    ];
    const errors: unknown[] = [];
    for (const claim of claims) {
      const started = createTestCluster({
        nodes: ['1.1.1'],
        nodeOptions: { extensions: [{ name: 'x', start: claim }] },
      });
      errors.push(
        await started.then(
          () => undefined,
          (err: unknown) => err,
        ),
      );
    }
    expect(errors[0]).toBeInstanceOf(FrameKindTakenError);
    expect(errors[1]).toBeInstanceOf(InvalidFrameKindError);
    const twice = (): Extension => ({
      name: 'same',
      start: (h) => h.onFrame(ExtensionKinds.User + 1, () => {}),
    });
    await expect(
      createTestCluster({ nodes: ['1.1.1'], nodeOptions: { extensions: [twice(), twice()] } }),
    ).rejects.toBeInstanceOf(ExtensionExistsError);
    await expect(
      createTestCluster({
        nodes: ['1.1.1'],
        nodeOptions: { extensions: [{ name: '' } as unknown as Extension] },
      }),
    ).rejects.toThrow(/extensions\[0\]/);
    const sameKind = (name: string): Extension => ({
      name,
      start: (h) => h.onFrame(ExtensionKinds.User + 2, () => {}),
    });
    await expect(
      createTestCluster({ nodes: ['1.1.1'], nodeOptions: { extensions: [sameKind('a'), sameKind('b')] } }),
    ).rejects.toBeInstanceOf(FrameKindTakenError);
  });

  it('activate a missing actor through the hook, for local and remote tells and asks', async () => {
    const Echo = defineActor({
      init: (name: string) => ({ name }),
      handlers: {
        who(state) {
          return state.name;
        },
      },
    });
    const activated: string[] = [];
    const activator: Extension = {
      name: 'activator',
      start(host) {
        host.onMissingActor((name, message) => {
          if (!name.startsWith('echo/')) return false;
          host.spawnSystem(Echo, name, name);
          activated.push(name);
          return host.deliver(name, message);
        });
      },
    };
    cluster = await createTestCluster({
      nodes: ['1.1.1', '1.2.1'],
      nodeOptions: { link },
      perNode: { '1.2.1': { extensions: [activator] } },
    });
    const b = cluster.node('1.2.1');
    expect(await b.ref<typeof Echo>('1.2.1', 'echo/1').call.who()).toBe('echo/1');
    expect(await cluster.node('1.1.1').ref<typeof Echo>('1.2.1', 'echo/2').call.who()).toBe('echo/2');
    expect(activated).toEqual(['echo/1', 'echo/2']);
    // A name no hook takes is still not found.
    await expect(cluster.node('1.1.1').ref('1.2.1', 'nobody').ask('who')).rejects.toMatchObject({
      code: 'ACTOR_NOT_FOUND',
    });
    await expect(b.ref('1.2.1', 'nobody').ask('who')).rejects.toBeInstanceOf(ActorNotFoundError);
  });

  it('multicast one message to several actors of a node with one frame, locally too', async () => {
    let host: ExtensionHost | undefined;
    cluster = await createTestCluster({
      nodes: ['1.1.1', '1.2.1'],
      nodeOptions: { link },
      perNode: {
        '1.1.1': {
          extensions: [
            {
              name: 'm',
              start: (h) => {
                host = h;
              },
            },
          ],
        },
      },
    });
    const b = cluster.node('1.2.1');
    const a = cluster.node('1.1.1');
    const names = ['r1', 'r2', 'r3'];
    for (const name of names) b.spawn(Log, { name });
    a.spawn(Log, { name: 'local' });
    const letters: string[] = [];
    b.on('deadLetter', (l) => letters.push(`${l.to.name}:${l.reason}`));
    host!.multicast(b.addr, [...names, 'gone'], 'add', { n: 1 });
    host!.multicast(a.addr, ['local'], 'add', 'here');
    await waitFor(
      async () => (await b.ref<typeof Log>('1.2.1', 'r3').call.seen()).length === 1,
      5000,
      'fan-out',
    );
    for (const name of names) expect(await b.ref<typeof Log>('1.2.1', name).call.seen()).toEqual([{ n: 1 }]);
    expect(await a.ref<typeof Log>('1.1.1', 'local').call.seen()).toEqual(['here']);
    expect(letters).toEqual(['gone:actor not found']);
  });

  it('hear members come and go, and peers gone', async () => {
    const ups: string[] = [];
    const downs: string[] = [];
    const gone: string[] = [];
    const watcher: Extension = {
      name: 'watcher',
      start(host) {
        host.onMemberUp((m: MemberRecord) => ups.push(Addr.format(m.addr)));
        host.onMemberDown((m: MemberRecord) => downs.push(Addr.format(m.addr)));
        host.onPeerGone((peer) => gone.push(Addr.format(peer)));
      },
    };
    cluster = await createTestCluster({
      nodes: ['1.1.1', '1.2.1'],
      nodeOptions: { link },
      perNode: { '1.1.1': { extensions: [watcher] } },
    });
    expect(ups).toContain('1.2.1');
    // Links are lazy: a call opens the one whose loss reports the peer down.
    cluster.node('1.2.1').spawn(Log, { name: 'log' });
    await cluster.node('1.1.1').ref<typeof Log>('1.2.1', 'log').call.seen();
    await cluster.kill('1.2.1');
    await waitFor(() => downs.includes('1.2.1'), 5000, 'memberDown');
    expect(gone).toContain('1.2.1');
  });

  it('hear nothing once stopped: their hooks and listeners are released', async () => {
    const late: string[] = [];
    let stopped = false;
    const ext: Extension = {
      name: 'late',
      start(host) {
        host.onPeerGone((peer) => stopped && late.push(`gone ${Addr.format(peer)}`));
        host.onMemberDown((m) => stopped && late.push(`down ${Addr.format(m.addr)}`));
        host.addStats(() => 'here');
      },
      stop() {
        stopped = true;
      },
    };
    cluster = await createTestCluster({
      nodes: ['1.1.1', '1.2.1'],
      nodeOptions: { link },
      perNode: { '1.1.1': { extensions: [ext] } },
    });
    const a = cluster.node('1.1.1');
    expect(a.stats().extensions).toEqual({ late: 'here' });
    cluster.node('1.2.1').spawn(Log, { name: 'log' });
    await a.ref<typeof Log>('1.2.1', 'log').call.seen();
    // Stopping 1.1.1 closes its link to 1.2.1 after the extension stopped.
    await cluster.stop('1.1.1');
    expect(stopped).toBe(true);
    expect(late).toEqual([]);
  });

  it('deliver reports a missing actor and answers an ask to a full mailbox with MAILBOX_FULL', async () => {
    let host: ExtensionHost | undefined;
    cluster = await createTestCluster({
      nodes: ['1.1.1'],
      nodeOptions: {
        extensions: [
          {
            name: 'd',
            start: (h) => {
              host = h;
            },
          },
        ],
      },
    });
    const node = cluster.node('1.1.1');
    const Stuck = defineActor({
      init: () => ({}),
      handlers: { wait: (_s, ms: number) => new Promise((r) => setTimeout(r, ms)) },
    });
    const stuck = node.spawn(Stuck, { name: 'stuck', mailboxLimit: 1 });
    const message = (replyTo?: LocalMessage['replyTo']): LocalMessage => ({
      handler: 'wait',
      arg: 1,
      sender: undefined,
      replyTo,
    });
    expect(host!.deliver('nobody', message())).toBe(false);
    const running = stuck.call.wait(20);
    const failures: string[] = [];
    const taken = host!.deliver(
      'stuck',
      message({ ok: () => failures.push('ok'), fail: (e) => failures.push(e.code) }),
    );
    expect(taken).toBe(true);
    expect(failures).toEqual(['MAILBOX_FULL']);
    await running;
  });
});
