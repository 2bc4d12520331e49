// The streams extension: opens streams to actors on other nodes and routes stream frames to them.
import { Addr, type Frame, NodeDownError } from '@troupe/transport';
import type { ActorId } from '../actor/ref.js';
import type { Extension, ExtensionHost } from '../node/extension.js';
import { StreamsNotStartedError, TooManyStreamsError } from './errors.js';
import { LinkStreams } from './link.js';
import { type ResolvedStreamsOptions, resolveStreamsOptions, type StreamsOptions } from './options.js';
import {
  ACCEPTOR_BIT,
  dataBytes,
  decodeOpen,
  decodeReset,
  encodeControl,
  peerKey,
  StreamKind,
} from './protocol.js';
import { TroupeStream } from './stream.js';

/** Options of one `open`. */
export interface OpenOptions {
  /** The handler the target actor receives the stream on. Default the extension's `handler`. */
  handler?: string;
  /** Sent with the open; the accepting side reads it as `stream.meta` (msgpack-encodable). */
  meta?: unknown;
}

/** Counters in `node.stats().streams`. */
export interface StreamsStats {
  open: number;
  opened: number;
  accepted: number;
  refused: number;
  bytesOut: number;
  bytesIn: number;
  malformed: number;
  links: Array<{ peer: string; streams: number; inFlight: number }>;
}

/**
 * Streams for a node: `Node.start({ extensions: [s] })`, then `s.open(ref)` returns a `Duplex` whose
 * other end an actor of the target node receives on its `stream` handler (the argument is the
 * accepting `TroupeStream`). Both ends are flow-controlled per stream, and capped per link.
 */
export class Streams implements Extension {
  readonly name = 'streams';
  readonly options: ResolvedStreamsOptions;
  #host: ExtensionHost | undefined;
  readonly #links = new Map<Addr, LinkStreams>();
  readonly #unhook: Array<() => void> = [];
  readonly #counts = { opened: 0, accepted: 0, refused: 0, bytesIn: 0, malformed: 0 };
  #bytesOutOfGoneLinks = 0;

  constructor(options?: StreamsOptions) {
    this.options = resolveStreamsOptions(options);
  }

  start(host: ExtensionHost): void {
    this.#host = host;
    for (const kind of Object.values(StreamKind))
      host.onFrame(kind, (frame: Frame) =>
        this.#receive(kind, frame.from as Addr, frame.data.subarray(frame.bodyStart, frame.bodyEnd)),
      );
    this.#unhook.push(
      host.onMemberDown((m, reason) => this.#linkGone(m.addr, reason)),
      host.onPeerGone((peer, reason) => this.#linkGone(peer as Addr, reason)),
    );
    host.addStats(() => this.stats());
  }

  stop(): void {
    for (const unhook of this.#unhook.splice(0)) unhook();
    // The node is stopping: each stream is reset (the peer hears CLOSED) and closes here without an
    // error, so a stream nobody listens to for errors does not take the process down.
    for (const link of this.#links.values()) link.closeAll();
    this.#links.clear();
    this.#host = undefined;
  }

  /**
   * Opens a stream to the actor `target`, which receives the other end on its `stream` handler (or
   * `options.handler`). Writing may start at once. The stream errors with `StreamResetError` code
   * `ACTOR_NOT_FOUND` when there is no such actor, and with `NodeDownError` when the node goes down.
   * Throws `TooManyStreamsError` past `maxStreamsPerLink`, and the host's errors when the node is
   * unreachable.
   */
  open(target: ActorId, options?: OpenOptions): TroupeStream {
    const host = this.#running();
    const peer = Addr.of(target.node as Addr);
    const link = this.#link(peer);
    if (link.streams.size >= this.options.maxStreamsPerLink)
      throw new TooManyStreamsError(Addr.format(peer), this.options.maxStreamsPerLink);
    const id = link.allocateId();
    const stream = new TroupeStream(
      link,
      id,
      options?.meta,
      true,
      this.options.window,
      this.options.maxChunk,
      this.options.maxWindow,
    );
    const handler = options?.handler ?? this.options.handler;
    this.#send(peer, StreamKind.Open, encodeControl([id, target.name, handler, options?.meta ?? null]));
    link.streams.set(id, stream);
    this.#counts.opened++;
    stream.grantInitial();
    if (host.log.isLevelEnabled('debug'))
      host.log.debug({ peer: Addr.format(peer), id, target: target.name }, 'stream opened');
    return stream;
  }

  stats(): StreamsStats {
    let open = 0;
    let bytesOut = this.#bytesOutOfGoneLinks;
    const links: StreamsStats['links'] = [];
    for (const link of this.#links.values()) {
      open += link.streams.size;
      bytesOut += link.bytesOut;
      links.push({ peer: Addr.format(link.peer), streams: link.streams.size, inFlight: link.inFlight });
    }
    const { opened, accepted, refused, bytesIn, malformed } = this.#counts;
    return { open, opened, accepted, refused, bytesOut, bytesIn, malformed, links };
  }

  // ---- internals ----------------------------------------------------------------------------------

  #running(): ExtensionHost {
    if (this.#host === undefined) throw new StreamsNotStartedError();
    return this.#host;
  }

  #link(peer: Addr): LinkStreams {
    let link = this.#links.get(peer);
    if (link === undefined) {
      link = new LinkStreams(this.#running(), peer, this.options.linkWindow, (p, kind, body, head) =>
        this.#send(p, kind, body, head),
      );
      this.#links.set(peer, link);
    }
    return link;
  }

  /** Frames to this node itself take a microtask instead of a link, in order. */
  #send(peer: Addr, kind: number, body: Uint8Array, head?: Buffer): void {
    const host = this.#running();
    if (peer === host.addr) {
      // Within one node a data frame's key and bytes become one body (one copy), as a link's frame would.
      const frame =
        head === undefined
          ? Buffer.from(body.buffer, body.byteOffset, body.length)
          : Buffer.concat([head, body]);
      queueMicrotask(() => this.#receive(kind, peer, frame));
    } else host.send(peer, kind, body, head === undefined ? undefined : { head });
  }

  /**
   * Validates and routes one stream frame. A malformed frame costs only itself: it is counted and logged,
   * and the link and every other stream go on. Only decoding is guarded: what a stream's listeners
   * throw is theirs, not a malformed frame.
   */
  #receive(kind: number, from: Addr, body: Buffer): void {
    const host = this.#host;
    if (host === undefined) return;
    if (kind === StreamKind.Open) {
      const open = attempt(() => decodeOpen(body));
      if (open === undefined || open[0] & ACCEPTOR_BIT) this.#malformed(host, from, kind, 'malformed open');
      else this.#onOpen(host, from, open);
      return;
    }
    if (kind === StreamKind.Reset) {
      const reset = attempt(() => decodeReset(body));
      if (reset === undefined) this.#malformed(host, from, kind, 'malformed reset');
      else this.#links.get(from)?.streams.get(peerKey(reset[0]))?.onReset(reset[1], reset[2]);
      return;
    }
    if (body.length < 4 || (kind === StreamKind.Credit && body.length !== 8)) {
      this.#malformed(host, from, kind, `stream frame of kind ${kind} is ${body.length} bytes`);
      return;
    }
    const stream = this.#links.get(from)?.streams.get(peerKey(body.readUInt32BE(0)));
    if (kind === StreamKind.Data) {
      this.#counts.bytesIn += body.length - 4;
      stream?.onData(dataBytes(body));
    } else if (kind === StreamKind.Credit) {
      stream?.onCredit(body.readUInt32BE(4));
    } else if (kind === StreamKind.Fin) {
      stream?.onFin();
    }
  }

  #malformed(host: ExtensionHost, from: Addr, kind: number, reason: string): void {
    this.#counts.malformed++;
    host.log.warn({ peer: Addr.format(from), kind, reason }, 'malformed stream frame dropped');
  }

  #onOpen(host: ExtensionHost, from: Addr, open: [number, string, string, unknown]): void {
    const [id, name, handler, meta] = open;
    const link = this.#link(from);
    const key = peerKey(id);
    if (link.streams.has(key)) {
      this.#malformed(host, from, StreamKind.Open, `stream ${id} is already open`);
      return;
    }
    const stream = new TroupeStream(
      link,
      key,
      meta,
      false,
      this.options.window,
      this.options.maxChunk,
      this.options.maxWindow,
    );
    if (link.streams.size >= this.options.maxStreamsPerLink) {
      this.#counts.refused++;
      stream.reset('TOO_MANY_STREAMS', `the link already carries ${this.options.maxStreamsPerLink} streams`);
      return;
    }
    link.streams.set(key, stream);
    stream.grantInitial();
    const delivered = host.deliver(name, { handler, arg: stream, sender: undefined, replyTo: undefined });
    if (!delivered) {
      this.#counts.refused++;
      stream.reset('ACTOR_NOT_FOUND', `no actor "${name}" on ${Addr.format(host.addr)}`);
      return;
    }
    this.#counts.accepted++;
  }

  #linkGone(peer: Addr, reason: string): void {
    const link = this.#links.get(peer);
    if (link === undefined) return;
    this.#links.delete(peer);
    this.#bytesOutOfGoneLinks += link.bytesOut;
    link.failAll(new NodeDownError(Addr.format(peer), reason));
  }
}

/** The value `decode` returns, or undefined when it throws (undecodable bytes). */
function attempt<T>(decode: () => T | undefined): T | undefined {
  try {
    return decode();
  } catch {
    return undefined;
  }
}

/** Creates the streams extension for one node. */
export function streams(options?: StreamsOptions): Streams {
  return new Streams(options);
}
