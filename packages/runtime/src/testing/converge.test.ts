import { Addr } from '@troupe/transport';
import { EventEmitter } from 'eventemitter3';
import { describe, expect, it } from 'vitest';
import type { Node } from '../node/node.js';
import { ClusterConvergenceError, converge } from './converge.js';

/** Just what `converge` reads of a node: its address, record, members and memberUp events. */
class FakeNode extends EventEmitter {
  readonly seen = new Set<number>();
  readonly table = { visible: () => true };
  constructor(readonly addr: number) {
    super();
    this.seen.add(addr);
  }
  selfView() {
    return { addr: this.addr };
  }
  members() {
    return [...this.seen].map((addr) => ({ addr }));
  }
  learn(addr: number): void {
    this.seen.add(addr);
    this.emit('memberUp', { addr });
  }
}

const addrs = ['1.1.1', '1.2.1', '1.3.1'].map((a) => Addr.parse(a));

describe('converge', () => {
  it('resolves once every node sees the others', async () => {
    const nodes = addrs.map((a) => new FakeNode(a));
    const waiting = converge(nodes as unknown as Node[], 2000, async () => {
      throw new Error('no cleanup expected');
    });
    for (const n of nodes) for (const a of addrs) if (a !== n.addr) queueMicrotask(() => n.learn(a));
    await waiting;
    expect(nodes.every((n) => n.listenerCount('memberUp') === 0)).toBe(true);
  });

  it('throws naming the missing members, after cleaning up', async () => {
    const nodes = addrs.map((a) => new FakeNode(a));
    nodes[0]!.learn(addrs[1]!);
    nodes[0]!.learn(addrs[2]!);
    nodes[1]!.learn(addrs[0]!);
    let cleaned = false;
    const err = await converge(nodes as unknown as Node[], 20, async () => {
      cleaned = true;
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterConvergenceError);
    expect((err as Error).message).toContain('1.2.1 does not see 1.3.1');
    expect((err as Error).message).toContain('1.3.1 does not see 1.1.1, 1.2.1');
    expect((err as Error).message).not.toContain('1.1.1 does not see');
    expect(cleaned).toBe(true);
  });
});
