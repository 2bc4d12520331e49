// Frames from peers: decoded and checked here (untrusted input), then delivered to mailboxes and asks.
import { Addr, decodeBody, type Frame, ProtocolError, type WireError } from '@troupe/transport';
import { Envelope, type Replier } from '../actor/envelope.js';
import { type CallHead, CallReader, decodeArg } from './call-codec.js';
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
    this.node.out.reply(this.to, this.askId, ReplyStatus.Ok, value);
  }
  fail(error: WireError, thrown = false): void {
    this.node.out.reply(
      this.to,
      this.askId,
      thrown ? ReplyStatus.HandlerError : ReplyStatus.RuntimeError,
      error,
    );
  }
}

export class Inbound {
  private readonly reader = new CallReader();
  /** Reused for every call head: read, then consumed before the next frame. */
  private readonly head: CallHead = { askId: -1, target: '', handler: '', sender: undefined, argAt: 0 };

  constructor(private readonly node: Node) {}

  frame(frame: Frame, via: Addr): void {
    const node = this.node;
    if (frame.to !== node.addr) {
      if (node.harbor !== undefined) node.harbor.forward(frame, via);
      else node.deadLetter({ node: frame.to, name: '' }, '', `misrouted frame from ${Addr.format(via)}`);
      return;
    }
    const kind = frame.kind;
    if (kind === Kind.Tell || kind === Kind.Ask || kind === Kind.Reply) {
      try {
        if (kind === Kind.Reply) this.reply(frame);
        else this.call(frame, kind === Kind.Ask);
      } catch (err) {
        node.log.warn({ err, from: Addr.format(via), kind }, 'malformed call frame dropped');
        node.deadLetter({ node: node.addr, name: '' }, '', `malformed frame: ${(err as Error).message}`);
      }
      return;
    }
    let body: unknown;
    try {
      body = decodeBody(frame.flags, frame.body);
    } catch (err) {
      node.log.warn({ err, from: Addr.format(via), kind }, 'undecodable frame body');
      node.deadLetter({ node: node.addr, name: '' }, '', 'undecodable body');
      return;
    }
    if (!Array.isArray(body)) {
      this.malformed(frame, via, 'body is not an array');
      return;
    }
    switch (kind) {
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
        if (frame.from !== via) node.out.control(frame.from, Kind.Pong, []);
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
        this.malformed(frame, via, `unknown frame kind ${kind}`);
    }
  }

  private malformed(frame: Frame, via: Addr, reason: string): void {
    this.node.log.warn({ from: Addr.format(via), kind: frame.kind, reason }, 'malformed frame dropped');
    this.node.deadLetter({ node: frame.to, name: '' }, '', reason);
  }

  /** A Tell or an Ask. A bad head throws (the frame is dropped); a bad argument answers the ask. */
  private call(frame: Frame, isAsk: boolean): void {
    const node = this.node;
    const data = frame.data;
    const end = frame.bodyEnd;
    const head = this.head;
    this.reader.read(data, frame.bodyStart, end, isAsk, head);
    const { target, handler, askId } = head;
    const replier = isAsk ? new RemoteReplier(node, frame.from, askId) : undefined;
    if (target === '' || handler === '') {
      if (replier) replier.fail({ code: 'PROTOCOL_ERROR', message: 'call without target or handler' });
      else node.deadLetter({ node: node.addr, name: target }, handler, 'call without target or handler');
      return;
    }
    const cell = node.cells.get(target);
    if (cell === undefined) {
      if (replier)
        replier.fail({
          code: 'ACTOR_NOT_FOUND',
          message: `no actor "${target}" on ${Addr.format(node.addr)}`,
        });
      else node.deadLetter({ node: node.addr, name: target }, handler, 'actor not found');
      return;
    }
    let arg: unknown;
    try {
      arg = decodeArg(frame.flags, data, head.argAt, end);
    } catch (err) {
      if (replier) replier.fail({ code: 'DECODE_ERROR', message: (err as Error).message });
      else node.deadLetter(cell.id, handler, 'undecodable argument');
      return;
    }
    try {
      cell.enqueue(new Envelope(handler, arg, frame.from, head.sender, replier));
    } catch (err) {
      if (replier)
        replier.fail({
          code: (err as { code?: string }).code ?? 'MAILBOX_FULL',
          message: (err as Error).message,
        });
      else node.deadLetter(cell.id, handler, (err as Error).message);
    }
  }

  private reply(frame: Frame): void {
    const data = frame.data;
    const start = frame.bodyStart;
    const end = frame.bodyEnd;
    if (end - start < 5) throw new ProtocolError('reply body too short');
    const askId = data.readUInt32BE(start);
    const status = data[start + 4]!;
    const ask = this.node.asks.get(askId);
    if (ask === undefined || ask.peer !== frame.from) {
      this.node.deadLetter(
        { node: this.node.addr, name: '' },
        'reply',
        `reply to ask ${askId} nobody waits for`,
      );
      return;
    }
    let payload: unknown;
    try {
      payload = decodeArg(frame.flags, data, start + 5, end);
    } catch (err) {
      ask.fail({ code: 'DECODE_ERROR', message: `undecodable reply: ${(err as Error).message}` });
      return;
    }
    if (status === ReplyStatus.Ok) ask.ok(payload);
    else ask.fail(asWireError(payload), status === ReplyStatus.HandlerError);
  }

  private watch(fromNode: number, name: string): void {
    const node = this.node;
    if (!node.cells.has(name)) {
      node.out.control(fromNode, Kind.Terminated, [name, 'not found']);
      return;
    }
    node.watches.addRemote(fromNode, name);
  }
}
