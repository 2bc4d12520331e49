// The node core's frame kinds from peers: decoded and checked here (untrusted input), then delivered.
import { Addr, decodeBody, type Frame, ProtocolError, type WireError } from '@troupe/transport';
import type { Replier } from '../actor/envelope.js';
import type { ActorId } from '../actor/ref.js';
import type { AskTable } from './asks.js';
import { type CallHead, CallReader, decodeArg } from './call-codec.js';
import type { LocalDelivery } from './delivery.js';
import type { FrameKinds } from './frames.js';
import { Kind, ReplyStatus } from './protocol.js';
import { deliverAll } from './router.js';
import type { WatchRegistry } from './watches.js';
import { asWireError } from './wire-errors.js';

/** What the core frame handlers need from their node. */
export interface InboundHost {
  readonly addr: Addr;
  readonly log: { warn(obj: object, msg: string): void };
  readonly delivery: LocalDelivery;
  readonly asks: AskTable;
  readonly watches: WatchRegistry;
  hasActor(name: string): boolean;
  /** Sends an ask's reply (status from `ReplyStatus`). */
  reply(to: number, askId: number, status: number, payload: unknown): void;
  /** Sends a control frame; failures are logged, not thrown. */
  control(to: number, kind: number, body: unknown[]): void;
  /** A suspected member answered a probe through harbors. */
  reachable(peer: number): void;
  /** A relay (harbor) says `peer` is down. */
  reportPeerDown(peer: number, reason: string): void;
  deadLetter(to: ActorId, handler: string, reason: string): void;
}

/** Answers a remote ask by sending a Reply frame to the asking node. */
class RemoteReplier implements Replier {
  constructor(
    private readonly host: InboundHost,
    private readonly to: number,
    private readonly askId: number,
  ) {}
  ok(value: unknown): void {
    this.host.reply(this.to, this.askId, ReplyStatus.Ok, value);
  }
  fail(error: WireError, thrown = false): void {
    this.host.reply(this.to, this.askId, thrown ? ReplyStatus.HandlerError : ReplyStatus.RuntimeError, error);
  }
}

/** Handlers of the core kinds (calls, replies, watches, probes, relay notices, multicast). */
export class Inbound {
  private readonly reader = new CallReader();
  /** Reused for every call head: read, then consumed before the next frame. */
  private readonly head: CallHead = { askId: -1, target: '', handler: '', sender: undefined, argAt: 0 };

  constructor(private readonly host: InboundHost) {}

  /** Claims the core's kinds in `frames`. */
  claim(frames: FrameKinds): void {
    const core = 'core';
    // Calls and replies are the hot path: no closure per frame.
    frames.claim(Kind.Tell, this.onTell, core);
    frames.claim(Kind.Ask, this.onAsk, core);
    frames.claim(Kind.Reply, this.onReply, core);
    frames.claim(Kind.Watch, (f, via) => this.array(f, via, (b) => this.watch(f, via, b)), core);
    frames.claim(
      Kind.Unwatch,
      (f, via) =>
        this.array(f, via, (b) => {
          if (typeof b[0] === 'string') this.host.watches.removeRemote(f.from, b[0]);
        }),
      core,
    );
    frames.claim(
      Kind.Terminated,
      (f, via) =>
        this.array(f, via, (b) => {
          if (typeof b[0] !== 'string') return;
          const reason = typeof b[1] === 'string' ? b[1] : 'terminated';
          this.host.watches.terminated({ node: f.from, name: b[0] }, reason);
        }),
      core,
    );
    frames.claim(
      Kind.Probe,
      (f, via) => this.array(f, via, () => f.from !== via && this.host.control(f.from, Kind.Pong, [])),
      core,
    );
    frames.claim(Kind.Pong, (f, via) => this.array(f, via, () => this.host.reachable(f.from)), core);
    frames.claim(
      Kind.NodeDown,
      (f, via) =>
        this.array(f, via, (b) => {
          // Only a relay may speak for a third node's death.
          if (typeof b[0] === 'number' && Addr.isHarbor(via))
            this.host.reportPeerDown(b[0], typeof b[1] === 'string' ? b[1] : 'down');
        }),
      core,
    );
    frames.claim(Kind.Multicast, (f, via) => this.array(f, via, (b) => this.multicast(f, via, b)), core);
  }

  private readonly onTell = (frame: Frame, via: Addr): void => {
    try {
      this.call(frame, false);
    } catch (err) {
      this.malformedCall(frame, via, err);
    }
  };

  private readonly onAsk = (frame: Frame, via: Addr): void => {
    try {
      this.call(frame, true);
    } catch (err) {
      this.malformedCall(frame, via, err);
    }
  };

  private readonly onReply = (frame: Frame, via: Addr): void => {
    try {
      this.reply(frame);
    } catch (err) {
      this.malformedCall(frame, via, err);
    }
  };

  /** A call or reply frame whose head does not parse: dropped with a logged reason. */
  private malformedCall(frame: Frame, via: Addr, err: unknown): void {
    const host = this.host;
    host.log.warn({ err, from: Addr.format(via), kind: frame.kind }, 'malformed call frame dropped');
    host.deadLetter({ node: host.addr, name: '' }, '', `malformed frame: ${(err as Error).message}`);
  }

  /** Decodes a msgpack-array body and hands it on; anything else is dropped with a logged reason. */
  private array(frame: Frame, via: Addr, fn: (body: unknown[]) => void): void {
    let body: unknown;
    try {
      body = decodeBody(frame.flags, frame.body);
    } catch (err) {
      this.host.log.warn({ err, from: Addr.format(via), kind: frame.kind }, 'undecodable frame body');
      this.host.deadLetter({ node: this.host.addr, name: '' }, '', 'undecodable body');
      return;
    }
    if (!Array.isArray(body)) {
      this.malformed(frame, via, 'body is not an array');
      return;
    }
    fn(body);
  }

  private malformed(frame: Frame, via: Addr, reason: string): void {
    this.host.log.warn({ from: Addr.format(via), kind: frame.kind, reason }, 'malformed frame dropped');
    this.host.deadLetter({ node: frame.to, name: '' }, '', reason);
  }

  /** A Tell or an Ask. A bad head throws (the frame is dropped); a bad argument answers the ask. */
  private call(frame: Frame, isAsk: boolean): void {
    const host = this.host;
    const data = frame.data;
    const end = frame.bodyEnd;
    const head = this.head;
    this.reader.read(data, frame.bodyStart, end, isAsk, head);
    const { target, handler, askId } = head;
    const replier = isAsk ? new RemoteReplier(host, frame.from, askId) : undefined;
    if (target === '' || handler === '') {
      if (replier) replier.fail({ code: 'PROTOCOL_ERROR', message: 'call without target or handler' });
      else host.deadLetter({ node: host.addr, name: target }, handler, 'call without target or handler');
      return;
    }
    let arg: unknown;
    try {
      arg = decodeArg(frame.flags, data, head.argAt, end);
    } catch (err) {
      if (replier) replier.fail({ code: 'DECODE_ERROR', message: (err as Error).message });
      else host.deadLetter({ node: host.addr, name: target }, handler, 'undecodable argument');
      return;
    }
    if (host.delivery.offer(target, handler, arg, frame.from, head.sender, replier)) return;
    if (replier)
      replier.fail({ code: 'ACTOR_NOT_FOUND', message: `no actor "${target}" on ${Addr.format(host.addr)}` });
    else host.deadLetter({ node: host.addr, name: target }, handler, 'actor not found');
  }

  private reply(frame: Frame): void {
    const host = this.host;
    const data = frame.data;
    const start = frame.bodyStart;
    const end = frame.bodyEnd;
    if (end - start < 5) throw new ProtocolError('reply body too short');
    const askId = data.readUInt32BE(start);
    const status = data[start + 4]!;
    const ask = host.asks.get(askId);
    if (ask === undefined || ask.peer !== frame.from) {
      host.deadLetter({ node: host.addr, name: '' }, 'reply', `reply to ask ${askId} nobody waits for`);
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

  private watch(frame: Frame, via: Addr, body: unknown[]): void {
    const name = body[0];
    if (typeof name !== 'string') {
      this.malformed(frame, via, 'watch without a target');
      return;
    }
    if (!this.host.hasActor(name)) {
      this.host.control(frame.from, Kind.Terminated, [name, 'not found']);
      return;
    }
    this.host.watches.addRemote(frame.from, name);
  }

  private multicast(frame: Frame, via: Addr, body: unknown[]): void {
    const [names, handler, sender, arg] = body;
    if (
      !Array.isArray(names) ||
      !names.every((n) => typeof n === 'string' && n !== '') ||
      typeof handler !== 'string' ||
      handler === '' ||
      (sender !== null && typeof sender !== 'string')
    ) {
      this.malformed(frame, via, 'multicast without names or handler');
      return;
    }
    deliverAll(this.host, names as string[], handler, arg, frame.from, sender ?? undefined);
  }
}
