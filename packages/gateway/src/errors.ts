// Gateway errors: one class per condition, each with the stable code clients and backends see.
import { TroupeError } from '@troupe/transport';

/** A route table (code, config file or KV entry) is malformed; names the route and the field. */
export class RouteConfigError extends TroupeError {
  constructor(message: string) {
    super('ROUTE_CONFIG', message);
    this.name = 'RouteConfigError';
  }
}

/** A client payload does not decode with its route's codec. */
export class PayloadError extends TroupeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROTOCOL_ERROR', message, options);
    this.name = 'PayloadError';
  }
}

/** A ticket is malformed or its signature does not verify. */
export class TicketInvalidError extends TroupeError {
  constructor(message: string) {
    super('TICKET_INVALID', message);
    this.name = 'TicketInvalidError';
  }
}

/** A ticket is past its expiry. */
export class TicketExpiredError extends TroupeError {
  constructor(message: string) {
    super('TICKET_EXPIRED', message);
    this.name = 'TicketExpiredError';
  }
}

/** A ticket was already used once (tickets are single use). */
export class TicketReusedError extends TroupeError {
  constructor(message: string) {
    super('TICKET_REUSED', message);
    this.name = 'TicketReusedError';
  }
}

/** A ticket was issued for another gateway. */
export class TicketWrongGatewayError extends TroupeError {
  constructor(message: string) {
    super('TICKET_WRONG_GATEWAY', message);
    this.name = 'TicketWrongGatewayError';
  }
}

/** A uid is already live on another session and the policy refuses a second login. */
export class DuplicateLoginError extends TroupeError {
  constructor(message: string) {
    super('DUPLICATE_LOGIN', message);
    this.name = 'DuplicateLoginError';
  }
}

/** The session a `SessionRef` names has ended. */
export class SessionClosedError extends TroupeError {
  constructor(message: string) {
    super('SESSION_CLOSED', message);
    this.name = 'SessionClosedError';
  }
}

/** A resume cannot be honoured: unknown or expired token, or the missed frames are no longer held. */
export class ResumeFailedError extends TroupeError {
  constructor(message: string) {
    super('RESUME_FAILED', message);
    this.name = 'ResumeFailedError';
  }
}

/** The login hook refused the credentials. */
export class LoginRefusedError extends TroupeError {
  constructor(message: string) {
    super('LOGIN_REFUSED', message);
    this.name = 'LoginRefusedError';
  }
}

/** No gateway is live (or none has reported its load yet) to send a client to. */
export class NoGatewayError extends TroupeError {
  constructor(message: string) {
    super('NO_GATEWAY', message);
    this.name = 'NoGatewayError';
  }
}
