// Tell, ask and multicast: local targets go through the one delivery path, remote ones out as frames.
import { Addr, ClosedError } from '@troupe/transport';
import type { ActorId, Router } from '../actor/ref.js';
import type { CallOptions } from '../actor/types.js';
import { ActorNotFoundError } from '../errors.js';
import type { AskTable } from './asks.js';
import type { LocalDelivery } from './delivery.js';
import type { Outbound } from './outbound.js';
import { Kind } from './protocol.js';

/** What the router needs from its node. */
export interface RouterHost {
  readonly addr: Addr;
  readonly closed: boolean;
  readonly askTimeoutMs: number;
  readonly delivery: LocalDelivery;
  readonly asks: AskTable;
  readonly out: Outbound;
  deadLetter(to: ActorId, handler: string, reason: string): void;
}

/** Sends messages on behalf of every ref the node makes. */
export class MessageRouter implements Router {
  constructor(private readonly host: RouterHost) {}

  tell(target: ActorId, handler: string, arg: unknown, sender: ActorId | undefined): void {
    const host = this.host;
    if (target.node === host.addr) {
      if (host.closed) throw new ClosedError(`node ${Addr.format(host.addr)}`);
      // A full mailbox throws to the local sender: it can slow down, unlike a remote one.
      if (!host.delivery.deliver(target.name, handler, arg, host.addr, sender?.name, undefined))
        host.deadLetter(target, handler, 'actor not found');
      return;
    }
    const out = host.out;
    out.call(target.node, Kind.Tell, out.calls.head(-1, target.name, handler, sender?.name), arg);
  }

  ask(
    target: ActorId,
    handler: string,
    arg: unknown,
    options: CallOptions | undefined,
    sender: ActorId | undefined,
  ): Promise<unknown> {
    const host = this.host;
    const ask = host.asks.create(target, handler, options?.timeoutMs ?? host.askTimeoutMs, options?.signal);
    if (ask.settled) return ask.promise;
    try {
      if (host.closed) throw new ClosedError(`node ${Addr.format(host.addr)}`);
      if (target.node === host.addr) {
        if (!host.delivery.deliver(target.name, handler, arg, host.addr, sender?.name, ask))
          throw new ActorNotFoundError(`no actor "${target.name}" on ${Addr.format(host.addr)}`);
      } else {
        const out = host.out;
        const via = out.route(host.addr, target.node);
        host.asks.track(ask, target.node, via, via === target.node ? undefined : out.farHarbor(target.node));
        out.call(target.node, Kind.Ask, out.calls.head(ask.id, target.name, handler, sender?.name), arg);
      }
    } catch (err) {
      ask.reject(err as Error);
    }
    return ask.promise;
  }

  /**
   * One tell to several actors of `node`: one frame to a remote node, or straight into the local
   * mailboxes. A missing or full actor costs a dead letter, not the others' delivery. Every receiver
   * gets the same decoded value: handlers must treat it as read-only.
   */
  multicast(node: Addr, names: readonly string[], handler: string, arg: unknown, sender?: ActorId): void {
    const host = this.host;
    if (node !== host.addr) {
      host.out.send(node, Kind.Multicast, [names, handler, sender?.name ?? null, arg], host.addr, false);
      return;
    }
    if (host.closed) throw new ClosedError(`node ${Addr.format(host.addr)}`);
    deliverAll(host, names, handler, arg, host.addr, sender?.name);
  }
}

/** Delivers one tell to each name; a missing actor is a dead letter. */
export function deliverAll(
  host: Pick<RouterHost, 'addr' | 'delivery' | 'deadLetter'>,
  names: readonly string[],
  handler: string,
  arg: unknown,
  senderNode: number,
  senderName: string | undefined,
): void {
  for (const name of names) {
    if (!host.delivery.offer(name, handler, arg, senderNode, senderName, undefined))
      host.deadLetter({ node: host.addr, name }, handler, 'actor not found');
  }
}
