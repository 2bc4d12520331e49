import { describe, expect, it } from 'vitest';
import type { Terminated } from '../actor/define.js';
import { type Watcher, WatchRegistry } from './watches.js';

const SELF = 1;

function setup() {
  const sent: string[] = [];
  const errors: unknown[] = [];
  const registry = new WatchRegistry(SELF, {
    sendWatch: (t) => sent.push(`watch ${t.node}/${t.name}`),
    sendUnwatch: (t) => sent.push(`unwatch ${t.node}/${t.name}`),
    sendTerminated: (to, name, reason) => sent.push(`terminated ${to} ${name} ${reason}`),
    onListenerError: (err) => errors.push(err),
  });
  return { registry, sent, errors };
}

function watcher(log: Terminated[] = []): Watcher & { log: Terminated[] } {
  return { log, deliver: (t) => log.push(t) };
}

describe('watch registry', () => {
  it('tells a remote node once per target and withdraws with the last watcher', () => {
    const { registry, sent } = setup();
    const a = watcher();
    const b = watcher();
    registry.add({ node: 2, name: 'x' }, a);
    registry.add({ node: 2, name: 'x' }, b);
    registry.remove({ node: 2, name: 'x' }, a);
    expect(sent).toEqual(['watch 2/x']);
    registry.removeWatcher(b);
    expect(sent).toEqual(['watch 2/x', 'unwatch 2/x']);
    expect(registry.size).toBe(0);
  });

  it('a stopping watcher leaves only its own watches, without visiting the others', () => {
    const { registry } = setup();
    const others = Array.from({ length: 5000 }, () => watcher());
    for (const [i, w] of others.entries()) registry.add({ node: SELF, name: `session-${i}` }, w);
    const leaving = watcher();
    registry.add({ node: SELF, name: 'room-1' }, leaving);
    registry.add({ node: SELF, name: 'room-2' }, leaving);
    let visits = 0;
    const remove = registry.remove.bind(registry);
    registry.remove = (t, w) => {
      visits++;
      remove(t, w);
    };
    const removeKey = Reflect.get(registry, 'removeKey') as (k: string, w: Watcher) => void;
    Reflect.set(registry, 'removeKey', (k: string, w: Watcher) => {
      visits++;
      removeKey.call(registry, k, w);
    });
    registry.removeWatcher(leaving);
    expect(visits).toBe(2);
    expect(registry.watchCount(leaving)).toBe(0);
    expect(registry.size).toBe(5000);
  });

  it('delivers Terminated once, forgets the watch, survives a throwing listener', () => {
    const { registry, sent, errors } = setup();
    const ok = watcher();
    registry.add(
      { node: SELF, name: 'a' },
      {
        deliver: () => {
          throw new Error('listener bug');
        },
      },
    );
    registry.add({ node: SELF, name: 'a' }, ok);
    registry.addRemote(3, 'a');
    registry.terminated({ node: SELF, name: 'a' }, 'stopped');
    registry.terminated({ node: SELF, name: 'a' }, 'again');
    expect(ok.log).toEqual([{ ref: { node: SELF, name: 'a' }, reason: 'stopped' }]);
    expect(errors).toHaveLength(1);
    expect(sent).toEqual(['terminated 3 a stopped']);
    expect(registry.watchCount(ok)).toBe(0);
  });

  it('fires every watch on a node that goes down', () => {
    const { registry } = setup();
    const w = watcher();
    registry.add({ node: 2, name: 'x' }, w);
    registry.add({ node: 2, name: 'y' }, w);
    registry.add({ node: 3, name: 'z' }, w);
    expect(registry.watchedNodes().sort()).toEqual([2, 3]);
    registry.nodeDown(2, 'node down: gone');
    expect(w.log.map((t) => t.ref.name)).toEqual(['x', 'y']);
    expect(registry.watchCount(w)).toBe(1);
  });
});
