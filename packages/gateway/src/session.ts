// A client session's state on its gateway: identity, uid, session data, bindings, groups, the resume
// log, and the connection currently carrying it (none while it waits to be resumed).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ActorId } from '@troupe/runtime';
import type { Connection } from './connection.js';
import { ResumeFailedError } from './errors.js';
import { ResumeLog, type ResumeLogLimits } from './resume-log.js';
import type { SessionId } from './session-ref.js';

/** `live`: a connection carries it; `detached`: waiting to be resumed; `closed`: ended. */
export type SessionState = 'live' | 'detached' | 'closed';

/**
 * The state behind one session actor. Frames to the client go through `push` (numbered, logged for
 * resume) or `connection.send` (heartbeats, notices, WELCOME: not numbered).
 */
export class Session {
  readonly id: string;
  /**
   * The secret half of the resume token (`<id>.<secret>`); the token is put together when WELCOME
   * needs it rather than kept, and a resume finds the session by the id half.
   */
  readonly #secret: string;
  readonly gateway: number;
  uid: string | undefined;
  /** A uid being claimed at its owner (a `replaced` for it may arrive before the claim's answer). */
  claiming: string | undefined;
  // Made on first use: most sessions never store data, bind or join a group, and idle sessions are
  // counted in tens of thousands per gateway.
  /** Session data (`SessionRef.set/get`). */
  data: Map<string, unknown> | undefined;
  /** Service type -> the backend actor bound for it. */
  bindings: Map<number, ActorId> | undefined;
  groups: Set<string> | undefined;
  /** Pub/sub topics this session follows, and the msgId each one's publications are pushed as. */
  topics: Map<string, number> | undefined;
  readonly #resume: ResumeLogLimits | undefined;
  /** Made with the first numbered frame (idle sessions never need one). */
  #log: ResumeLog | undefined;
  connection: Connection | undefined;
  state: SessionState = 'live';
  /** Requests and plain frames waiting for their backend. */
  inFlight = 0;
  /** Pending resume-window timer while detached. */
  expiry: NodeJS.Timeout | undefined;

  constructor(gateway: number, connection: Connection, resume: ResumeLogLimits | undefined) {
    this.id = randomBytes(12).toString('base64url');
    this.#secret = randomBytes(24).toString('base64url');
    this.gateway = gateway;
    this.connection = connection;
    this.#resume = resume;
  }

  /** Sessions that said HELLO while resume is on count their numbered frames for a resume. */
  get resumable(): boolean {
    return this.#resume !== undefined;
  }

  /** What the client presents to resume; never leaves this gateway except in WELCOME. */
  get token(): string {
    return `${this.id}.${this.#secret}`;
  }

  /** Whether `token` is this session's resume token (compared in constant time). */
  holdsToken(token: string): boolean {
    const given = Buffer.from(token);
    const own = Buffer.from(this.token);
    return given.length === own.length && timingSafeEqual(given, own);
  }

  /** The plain identity backends get. */
  get ref(): SessionId {
    return { gateway: this.gateway, id: this.id };
  }

  /**
   * Sends a numbered frame (a push or a response): logged for resume, then written if a connection
   * carries the session. A detached session only logs it, for the replay. `now`: see `Connection.send`.
   */
  push(frame: Uint8Array, now = false): void {
    if (this.state === 'closed') return;
    if (this.#resume !== undefined) {
      this.#log ??= new ResumeLog(this.#resume);
      this.#log.record(frame);
    }
    this.connection?.send(frame, now);
  }

  /**
   * The numbered frames after the first `received`, for a resume; throws `ResumeFailedError` when
   * they are not all held (or the session is not resumable).
   */
  missedAfter(received: number): Uint8Array[] {
    if (this.#resume === undefined) throw new ResumeFailedError('the session is not resumable');
    this.#log ??= new ResumeLog(this.#resume);
    return this.#log.after(received);
  }
}
