// Frames to other nodes: encoding, the choice of next hop (direct or through harbors), and sending.
import {
  Addr,
  encodeBody,
  FrameFlag,
  type TcpTransport,
  type TroupeError,
  type WireError,
} from '@troupe/transport';
import type { Logger } from 'pino';
import type { MembershipProvider } from '../membership/provider.js';
import type { MemberTable } from '../membership/table.js';
import { CallWriter } from './call-codec.js';
import { Kind, ReplyStatus } from './protocol.js';
import { farHarbor, nextHop } from './routing.js';

/** The body of a call without an argument. */
const NO_BYTES = new Uint8Array(0);

export class Outbound {
  /** Encodes call heads (names cached). */
  readonly calls = new CallWriter();
  /** Next hops by sender then target, valid while the member table's version is unchanged. */
  private readonly routes = new Map<number, Map<number, number>>();
  private routesVersion = -1;
  private readonly far = new Map<number, number | undefined>();
  private farVersion = -1;

  constructor(
    private readonly self: Addr,
    private readonly transport: Pick<TcpTransport, 'sendVia'>,
    private readonly table: MemberTable,
    private readonly membership: MembershipProvider,
    private readonly maxHops: number,
    private readonly log: Logger,
  ) {}

  /**
   * The next hop from `from` toward `to`. Addresses the membership provider resolves itself (the center,
   * and on the center its registrants) are reached directly whatever their group. Throws
   * `UnreachableError` when no path exists.
   */
  route(from: number, to: number): number {
    const table = this.table;
    if (this.routesVersion !== table.version) {
      this.routes.clear();
      this.routesVersion = table.version;
    }
    let byTo = this.routes.get(from);
    if (byTo === undefined) {
      byTo = new Map();
      this.routes.set(from, byTo);
    }
    let via = byTo.get(to);
    if (via === undefined) {
      via = this.membership.resolve?.(to as Addr) !== undefined ? to : nextHop(this.self, table, from, to);
      byTo.set(to, via);
    }
    return via;
  }

  /** The harbor of `to`'s group that this node's traffic to `to` crosses (cached like routes). */
  farHarbor(to: number): number | undefined {
    if (this.farVersion !== this.table.version) {
      this.far.clear();
      this.farVersion = this.table.version;
    }
    if (this.far.has(to)) return this.far.get(to);
    const far = farHarbor(this.self, this.table, this.self, to);
    this.far.set(to, far);
    return far;
  }

  /** Sends a msgpack-array body. Throws the transport's named errors or `UnreachableError`. */
  remote(to: number, kind: number, body: unknown[], from: number = this.self): number {
    return this.frame(to, kind, 0, encodeBody(body), undefined, from, false);
  }

  /**
   * Sends a body that is a msgpack-encoded value, or raw bytes under the Raw flag (a `Uint8Array`).
   * `prompt` flushes the batch early; `head` goes ahead of the body in the same frame. Throws the
   * transport's named errors or `UnreachableError`.
   */
  send(to: number, kind: number, body: unknown, from: number, prompt: boolean, head?: Uint8Array): number {
    if (body instanceof Uint8Array) return this.frame(to, kind, FrameFlag.Raw, body, head, from, prompt);
    return this.frame(to, kind, 0, encodeBody(body), head, from, prompt);
  }

  /** Sends a call head then an argument (msgpack, raw bytes under the Raw flag, or nothing). Throws. */
  call(to: number, kind: number, head: Uint8Array, arg: unknown, from: number = this.self): void {
    // Asks and replies are waited for: their batches go out early, so request/reply traffic pipelines.
    const prompt = kind === Kind.Ask || kind === Kind.Reply;
    if (arg === undefined) this.frame(to, kind, 0, NO_BYTES, head, from, prompt);
    else if (arg instanceof Uint8Array) this.frame(to, kind, FrameFlag.Raw, arg, head, from, prompt);
    else this.frame(to, kind, 0, encodeBody(arg), head, from, prompt);
  }

  /**
   * A control frame (watches, probes, notices); failures are logged, not thrown: the peer's death is
   * reported elsewhere. `from` other than this node: a harbor speaking for an unreachable target.
   */
  control(to: number, kind: number, body: unknown[], from: number = this.self): void {
    try {
      this.remote(to, kind, body, from);
    } catch (err) {
      this.log.debug({ err, to: Addr.format(to as Addr) }, 'control frame not sent');
    }
  }

  /**
   * Sends an ask's reply back to the asking node (`from` other than this node: a harbor answering for
   * an unreachable target). A value that cannot be sent becomes an error reply.
   */
  reply(to: number, askId: number, status: number, payload: unknown, from: number = this.self): void {
    try {
      this.call(to, Kind.Reply, this.calls.replyHead(askId, status), payload, from);
    } catch (err) {
      const e = err as TroupeError;
      if (e.code === 'FRAME_TOO_LARGE' || e.name === 'DecodeError' || !e.code) {
        const wire: WireError = {
          code: e.code ?? 'ENCODE_ERROR',
          message: `reply not sendable: ${e.message}`,
        };
        try {
          this.call(to, Kind.Reply, this.calls.replyHead(askId, ReplyStatus.RuntimeError), wire, from);
        } catch (again) {
          this.log.debug({ err: again, to: Addr.format(to as Addr) }, 'error reply not sent');
        }
      } else {
        this.log.debug({ err, to: Addr.format(to as Addr) }, 'reply not sent');
      }
    }
  }

  /** Sends pre-encoded bytes (`head` then `body`) to `to`, directly or through a harbor. */
  private frame(
    to: number,
    kind: number,
    flags: number,
    body: Uint8Array,
    head: Uint8Array | undefined,
    from: number,
    prompt: boolean,
  ): number {
    const via = this.route(from, to);
    this.transport.sendVia(via as Addr, to as Addr, kind, flags, this.maxHops, from, body, head, prompt);
    return via;
  }
}
