// Harbor forwarding: frames for other nodes are relayed by header alone, hops decremented.
import { Addr, decodeBody, type Frame, setHops } from '@troupe/transport';
import type { ExtensionHost } from '../node/extension.js';
import { Kind } from '../node/protocol.js';

/** Harbor counters. */
export interface HarborStats {
  framesForwarded: number;
  bytesForwarded: number;
  dropped: Record<string, number>;
}

/** What forwarding needs of its node: routes, liveness and sending. */
export type HarborHost = Pick<
  ExtensionHost,
  'addr' | 'log' | 'route' | 'isAlive' | 'sendRaw' | 'failAsk' | 'control'
>;

export class Harbor {
  private framesForwarded = 0;
  private bytesForwarded = 0;
  private readonly dropped: Record<string, number> = {};
  /** Remote nodes that asked or watched a node of this harbor's group: told when it goes down. */
  private readonly interested = new Map<number, Set<number>>();

  constructor(private readonly host: HarborHost) {}

  stats(): HarborStats {
    return {
      framesForwarded: this.framesForwarded,
      bytesForwarded: this.bytesForwarded,
      dropped: { ...this.dropped },
    };
  }

  /** Relays a frame addressed to another node. The body is not decoded unless the frame must be refused. */
  forward(frame: Frame, via: Addr): void {
    const host = this.host;
    if (frame.hops === 0) {
      this.drop(frame, 'hop limit', `hop limit reached at harbor ${Addr.format(host.addr)}`);
      return;
    }
    let next: Addr;
    try {
      next = host.route(frame.from as Addr, frame.to as Addr);
    } catch (err) {
      this.drop(frame, 'no route', (err as Error).message);
      return;
    }
    const localTarget = Addr.group(frame.to as Addr) === Addr.group(host.addr);
    if (localTarget && !host.isAlive(frame.to as Addr)) {
      this.drop(
        frame,
        'unknown target',
        `node ${Addr.format(frame.to as Addr)} is not a live member of group ${Addr.group(host.addr)}`,
      );
      return;
    }
    if (next === via) {
      this.drop(frame, 'loop', `route to ${Addr.format(frame.to as Addr)} leads back to ${Addr.format(via)}`);
      return;
    }
    if (frame.kind === Kind.Ask || frame.kind === Kind.Watch) {
      // Who waits on what this frame crosses: the local target, or the next harbor of another group.
      if (localTarget) this.remember(frame.to, frame.from);
      else if (Addr.isHarbor(next) && next !== frame.to) this.remember(next, frame.from);
    }
    const raw = frame.raw;
    setHops(raw, frame.hops - 1);
    try {
      host.sendRaw(next, raw);
    } catch (err) {
      this.drop(frame, 'send failed', (err as Error).message);
      return;
    }
    this.framesForwarded++;
    this.bytesForwarded += raw.length;
  }

  /**
   * A peer went down: tell the nodes that asked or watched through it (a node of this group, or the
   * next harbor toward another group), and forget the peer as a waiter.
   */
  peerDown(addr: number, reason: string): void {
    const nodes = this.interested.get(addr);
    this.interested.delete(addr);
    for (const [key, set] of this.interested) {
      set.delete(addr);
      if (set.size === 0) this.interested.delete(key);
    }
    if (nodes === undefined) return;
    for (const n of nodes) this.host.control(n as Addr, Kind.NodeDown, [addr, reason], addr as Addr);
  }

  private remember(local: number, remote: number): void {
    let set = this.interested.get(local);
    if (set === undefined) {
      set = new Set();
      this.interested.set(local, set);
    }
    set.add(remote);
  }

  /**
   * Counts a dropped frame. An ask is answered with `UnreachableError` and a watch with `Terminated`,
   * so nobody waits forever; the refusal speaks for the unreachable target, so the sender matches it.
   */
  private drop(frame: Frame, reason: string, message: string): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
    this.host.log.debug(
      { to: Addr.format(frame.to as Addr), from: Addr.format(frame.from as Addr), reason },
      'harbor dropped a frame',
    );
    if (frame.kind === Kind.Ask) {
      const b = frame.body;
      if (b.length >= 4)
        this.host.failAsk(
          frame.from as Addr,
          b.readUInt32BE(0),
          { code: 'UNREACHABLE', message },
          frame.to as Addr,
        );
      return;
    }
    if (frame.kind !== Kind.Watch) return;
    let body: unknown;
    try {
      body = decodeBody(frame.flags, frame.body);
    } catch {
      return;
    }
    if (!Array.isArray(body)) return;
    if (typeof body[0] === 'string') {
      this.host.control(
        frame.from as Addr,
        Kind.Terminated,
        [body[0], `unreachable: ${message}`],
        frame.to as Addr,
      );
    }
  }
}
