// Network faults between the nodes of a test cluster: partitions (blackholed links) and slowed links.
import { Addr } from '@troupe/transport';
import { type LinkFaults, linkFaults } from '@troupe/transport/testing';
import { coreOf, type Node } from '../node/node.js';

/** One side of a partition: an address or several. */
export type Side = string | readonly string[];

const pairKey = (a: Addr, b: Addr) => (a < b ? `${a}|${b}` : `${b}|${a}`);

/**
 * The faults a test cluster injected, kept so a node restarted during a fault gets it again (a
 * restarted node has a new transport).
 */
export class ClusterFaults {
  readonly #faults = new Map<Node, LinkFaults>();
  /** Partitioned pairs. */
  readonly #cut = new Map<string, [Addr, Addr]>();
  /** Slowed directions: `from|to` -> ms. */
  readonly #slow = new Map<string, { from: Addr; to: Addr; ms: number }>();

  constructor(private readonly running: (addr: Addr) => Node | undefined) {}

  /** Blackholes every link between a node of `a` and a node of `b`, both ways. */
  partition(a: Side, b: Side): void {
    for (const x of addrs(a))
      for (const y of addrs(b)) {
        if (x === y) throw new RangeError(`test cluster: cannot partition ${Addr.format(x)} from itself`);
        this.#cut.set(pairKey(x, y), [x, y]);
        this.apply(x, (f) => f.blackhole(y, true));
        this.apply(y, (f) => f.blackhole(x, true));
      }
  }

  /** Holds every frame from `from` to `to` for `ms` (one direction; call twice for both). */
  slow(from: string, to: string, ms: number): void {
    const f = Addr.parse(from);
    const t = Addr.parse(to);
    this.#slow.set(`${f}|${t}`, { from: f, to: t, ms });
    this.apply(f, (faults) => faults.delay(t, ms));
  }

  /** Removes the faults between `a` and `b`, or every fault when called without sides. */
  heal(a?: Side, b?: Side): void {
    if (a === undefined || b === undefined) {
      for (const faults of this.#faults.values()) faults.clear();
      this.#cut.clear();
      this.#slow.clear();
      return;
    }
    for (const x of addrs(a))
      for (const y of addrs(b)) {
        this.#cut.delete(pairKey(x, y));
        this.#slow.delete(`${x}|${y}`);
        this.#slow.delete(`${y}|${x}`);
        this.apply(x, (f) => {
          f.blackhole(y, false);
          f.delay(y, 0);
        });
        this.apply(y, (f) => {
          f.blackhole(x, false);
          f.delay(x, 0);
        });
      }
  }

  /** A node (re)started: give it the faults that stand. */
  started(node: Node): void {
    for (const [x, y] of this.#cut.values()) {
      if (x === node.addr) this.apply(x, (f) => f.blackhole(y, true));
      if (y === node.addr) this.apply(y, (f) => f.blackhole(x, true));
    }
    for (const { from, to, ms } of this.#slow.values())
      if (from === node.addr) this.apply(from, (f) => f.delay(to, ms));
  }

  /** Forgets a node that stopped (its transport is gone). */
  stopped(node: Node): void {
    this.#faults.delete(node);
  }

  private apply(addr: Addr, fn: (faults: LinkFaults) => void): void {
    const node = this.running(addr);
    // A node that is not running gets the fault when it starts (`started`).
    if (node === undefined) return;
    let faults = this.#faults.get(node);
    if (faults === undefined) {
      faults = linkFaults(coreOf(node).transport);
      this.#faults.set(node, faults);
    }
    fn(faults);
  }
}

function addrs(side: Side): Addr[] {
  return (typeof side === 'string' ? [side] : [...side]).map((a) => Addr.parse(a));
}
