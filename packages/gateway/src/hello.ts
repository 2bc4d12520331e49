// The first frame of a connection: HELLO (tickets, resume) or, for clients that never say HELLO,
// a plain session at once.
import { decodeHello, MsgId, PROTOCOL_VERSION } from '@troupe/client/wire';
import { TroupeError } from '@troupe/transport';
import { type Connection, noticeFrame } from './connection.js';
import type { GatewayMetrics } from './metrics.js';
import type { Session } from './session.js';
import type { SessionManager } from './sessions.js';
import type { TicketVerifier } from './ticket.js';

/** Opens or resumes the session of a connection's first frame. */
export class Greeter {
  readonly #manager: SessionManager;
  readonly #verifier: TicketVerifier | undefined;
  readonly #metrics: GatewayMetrics;

  constructor(manager: SessionManager, verifier: TicketVerifier | undefined, metrics: GatewayMetrics) {
    this.#manager = manager;
    this.#verifier = verifier;
    this.#metrics = metrics;
  }

  /**
   * Handles the first frame. Returns the session the frame itself should be routed on (a plain
   * session's first frame), or undefined when the frame was the HELLO. Throws PROTOCOL_ERROR.
   */
  first(conn: Connection, msgId: number, payload: Uint8Array): Session | undefined {
    if (msgId !== MsgId.Hello) return this.#manager.open(conn, false);
    const hello = decodeHello(payload);
    if (hello.v !== PROTOCOL_VERSION)
      throw new TroupeError('PROTOCOL_ERROR', `protocol version ${hello.v} is not supported (1 is)`);
    let reason: string | undefined;
    if (hello.resume !== undefined) {
      reason = this.#resume(conn, hello.resume, hello.received ?? 0);
      if (reason === undefined) return undefined;
      this.#metrics.refused('RESUME_FAILED');
      conn.send(noticeFrame('RESUME_FAILED', reason));
    }
    if (hello.ticket !== undefined) {
      this.#ticket(conn, hello.ticket, reason);
      return undefined;
    }
    const session = this.#manager.open(conn, true);
    this.#manager.welcome(session, reason === undefined ? { resumed: false } : { resumed: false, reason });
    return undefined;
  }

  /** Resumes the session of `token`; returns why it cannot be resumed, or undefined on success. */
  #resume(conn: Connection, token: string, received: number): string | undefined {
    const session = this.#manager.byToken(token);
    if (session === undefined || session.state === 'closed' || !session.resumable)
      return 'unknown or expired resume token';
    let missed: Uint8Array[];
    try {
      missed = session.missedAfter(received);
    } catch (err) {
      this.#manager.close(session, 'resume failed');
      return (err as Error).message;
    }
    this.#manager.attach(session, conn);
    this.#manager.welcome(session, { resumed: true });
    for (const frame of missed) conn.send(frame);
    return undefined;
  }

  #ticket(conn: Connection, ticket: string, reason: string | undefined): void {
    let uid: string;
    try {
      if (this.#verifier === undefined)
        throw new TroupeError('TICKET_INVALID', 'this gateway accepts no tickets');
      uid = this.#verifier.verify(ticket).uid;
    } catch (err) {
      const e = err as TroupeError;
      conn.close(e.code ?? 'TICKET_INVALID', e.message, `ticket refused: ${e.code}`);
      return;
    }
    const session = this.#manager.open(conn, true);
    this.#manager.claim(session, uid).then(
      () => {
        if (session.state !== 'closed')
          this.#manager.welcome(
            session,
            reason === undefined ? { resumed: false } : { resumed: false, reason },
          );
      },
      (err: TroupeError) =>
        this.#manager.close(session, 'duplicate login', {
          code: err.code === 'DUPLICATE_LOGIN' ? 'DUPLICATE_LOGIN' : 'BACKEND_UNAVAILABLE',
          message: err.message,
        }),
    );
  }
}
