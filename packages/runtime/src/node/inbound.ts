// Frames from peers: decoded and checked here (untrusted input), then delivered to mailboxes and asks.
import { Addr, decodeBody, type Frame, type WireError } from '@troupe/transport';
import { Envelope, type Replier } from '../actor/envelope.js';
import type { Node } from './node.js';
import { Kind, ReplyStatus } from './protocol.js';
import { asWireError } from './wire-errors.js';

/** Answers a remote ask by sending a Reply frame to the asking node. */
class RemoteReplier implements Replier {
  constructor(
    private readonly node: Node,
    private readonly to: number,
    private readonly askId: number,
  ) {}
  ok(value: unknown): void {
    this.node.sendReply(this.to, this.askId, ReplyStatus.Ok, value);
  }
  fail(error: WireError, thrown = false): void {
    this.node.sendReply(
      this.to,
      this.askId,
      thrown ? ReplyStatus.HandlerError : ReplyStatus.RuntimeError,
      error,
    );
  }
}

export class Inbound {
  constructor(private readonly node: Node) {}

  frame(frame: Frame, via: Addr): void {
    const node = this.node;
    if (frame.to !== node.addr) {
      if (node.harbor !== undefined) node.harbor.forward(frame, via);
      else node.deadLetter({ node: frame.to, name: '' }, '', `misrouted frame from ${Addr.format(via)}`);
      return;
    }
    let body: unknown;
    try {
      body = decodeBody(frame.flags, frame.body);
    } catch (err) {
      node.log.warn({ err, from: Addr.format(via), kind: frame.kind }, 'undecodable frame body');
      node.deadLetter({ node: node.addr, name: '' }, '', 'undecodable body');
      return;
    }
    if (!Array.isArray(body)) {
      this.malformed(frame, via, 'body is not an array');
      return;
    }
    switch (frame.kind) {
      case Kind.Tell:
        this.tell(frame, via, body);
        return;
      case Kind.Ask:
        this.ask(frame, via, body);
        return;
      case Kind.Reply:
        this.reply(frame, body);
        return;
      case Kind.Watch:
        if (typeof body[0] === 'string') this.watch(frame.from, body[0]);
        else this.malformed(frame, via, 'watch without a target');
        return;
      case Kind.Unwatch:
        if (typeof body[0] === 'string') node.watches.removeRemote(frame.from, body[0]);
        return;
      case Kind.Terminated:
        if (typeof body[0] === 'string') {
          node.watches.terminated(
            { node: frame.from, name: body[0] },
            typeof body[1] === 'string' ? body[1] : 'terminated',
          );
        }
        return;
      case Kind.Probe:
        if (frame.from !== via) node.sendControl(frame.from, Kind.Pong, []);
        return;
      case Kind.Pong:
        node.table.reachable(frame.from);
        return;
      case Kind.NodeDown:
        if (typeof body[0] === 'number' && Addr.isHarbor(via)) {
          node.peerDown(body[0], typeof body[1] === 'string' ? body[1] : 'down');
        }
        return;
      default:
        this.malformed(frame, via, `unknown frame kind ${frame.kind}`);
    }
  }

  private malformed(frame: Frame, via: Addr, reason: string): void {
    this.node.log.warn({ from: Addr.format(via), kind: frame.kind, reason }, 'malformed frame dropped');
    this.node.deadLetter({ node: frame.to, name: '' }, '', reason);
  }

  private tell(frame: Frame, via: Addr, body: unknown[]): void {
    const [name, handler, arg, senderName] = body;
    if (typeof name !== 'string' || typeof handler !== 'string') {
      this.malformed(frame, via, 'tell without target or handler');
      return;
    }
    const node = this.node;
    const cell = node.cells.get(name);
    if (cell === undefined) {
      node.deadLetter({ node: node.addr, name }, handler, 'actor not found');
      return;
    }
    const sender = typeof senderName === 'string' ? { node: frame.from, name: senderName } : undefined;
    try {
      cell.enqueue(new Envelope(handler, arg, sender, undefined));
    } catch (err) {
      node.deadLetter(cell.id, handler, (err as Error).message);
      return;
    }
  }

  private ask(frame: Frame, via: Addr, body: unknown[]): void {
    const [name, handler, arg, askId, senderName] = body;
    if (typeof askId !== 'number' || !Number.isInteger(askId)) {
      this.malformed(frame, via, 'ask without an id');
      return;
    }
    const node = this.node;
    const replier = new RemoteReplier(node, frame.from, askId);
    if (typeof name !== 'string' || typeof handler !== 'string') {
      replier.fail({ code: 'PROTOCOL_ERROR', message: 'ask without target or handler' });
      return;
    }
    const cell = node.cells.get(name);
    if (cell === undefined) {
      replier.fail({ code: 'ACTOR_NOT_FOUND', message: `no actor "${name}" on ${Addr.format(node.addr)}` });
      return;
    }
    const sender = typeof senderName === 'string' ? { node: frame.from, name: senderName } : undefined;
    try {
      cell.enqueue(new Envelope(handler, arg, sender, replier));
    } catch (err) {
      replier.fail({
        code: (err as { code?: string }).code ?? 'MAILBOX_FULL',
        message: (err as Error).message,
      });
      return;
    }
  }

  private reply(frame: Frame, body: unknown[]): void {
    const [askId, status, payload] = body;
    const ask = typeof askId === 'number' ? this.node.asks.get(askId) : undefined;
    if (ask === undefined || ask.peer !== frame.from) {
      this.node.deadLetter(
        { node: this.node.addr, name: '' },
        'reply',
        `reply to ask ${String(askId)} nobody waits for`,
      );
      return;
    }
    if (status === ReplyStatus.Ok) ask.ok(payload);
    else ask.fail(asWireError(payload), status === ReplyStatus.HandlerError);
  }

  private watch(fromNode: number, name: string): void {
    const node = this.node;
    if (!node.cells.has(name)) {
      node.sendControl(fromNode, Kind.Terminated, [name, 'not found']);
      return;
    }
    node.watches.addRemote(fromNode, name);
  }
}
