// Login tickets: short-lived, HMAC-SHA256-signed `{uid, gateway, exp, nonce}`, single use, bound to
// one gateway. Issued by the login service, verified by the gateway on HELLO.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { OptionError } from '@troupe/transport';
import {
  TicketExpiredError,
  TicketInvalidError,
  TicketReusedError,
  TicketWrongGatewayError,
} from './errors.js';

/** What a ticket asserts. */
export interface TicketClaims {
  uid: string;
  /** The gateway's logical address, `g.t.p`. */
  gateway: string;
  /** Expiry, ms since the epoch. */
  exp: number;
  /** Random; makes every ticket unique so a replay is recognised. */
  nonce: string;
}

/** Default lifetime of an issued ticket. */
export const DEFAULT_TICKET_TTL_MS = 30_000;

function key(secret: string): Buffer {
  if (typeof secret !== 'string' || secret.length < 16)
    throw new OptionError('ticketSecret', 'must be a string of at least 16 characters');
  return Buffer.from(secret, 'utf8');
}

function sign(secret: Buffer, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

/**
 * Issues a ticket: `base64url(JSON claims) + "." + base64url(HMAC-SHA256(secret, first part))`.
 * Any language with HMAC-SHA256 can check one.
 */
export function issueTicket(
  secret: string,
  claims: { uid: string; gateway: string; ttlMs?: number; now?: number },
): string {
  const body: TicketClaims = {
    uid: claims.uid,
    gateway: claims.gateway,
    exp: (claims.now ?? Date.now()) + (claims.ttlMs ?? DEFAULT_TICKET_TTL_MS),
    nonce: randomBytes(12).toString('base64url'),
  };
  const encoded = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  return `${encoded}.${sign(key(secret), encoded)}`;
}

/**
 * Verifies tickets for one gateway: signature, gateway, expiry, and single use (nonces are
 * remembered until their ticket expires, so memory is bounded by the issue rate times the TTL).
 */
export class TicketVerifier {
  readonly #key: Buffer;
  readonly #gateway: string;
  readonly #used = new Map<string, number>();
  #nextSweep = 0;

  constructor(secret: string, gateway: string) {
    this.#key = key(secret);
    this.#gateway = gateway;
  }

  /** Number of nonces remembered. */
  get remembered(): number {
    return this.#used.size;
  }

  /** The claims of a valid ticket, consuming it; throws one of the `Ticket*Error`s otherwise. */
  verify(ticket: unknown, now = Date.now()): TicketClaims {
    if (typeof ticket !== 'string' || ticket.length > 4096)
      throw new TicketInvalidError('ticket must be a string');
    const dot = ticket.indexOf('.');
    if (dot <= 0) throw new TicketInvalidError('ticket is not <claims>.<signature>');
    const body = ticket.slice(0, dot);
    const given = Buffer.from(ticket.slice(dot + 1), 'base64url');
    const expected = Buffer.from(sign(this.#key, body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new TicketInvalidError('ticket signature does not verify');
    const claims = parseClaims(body);
    if (claims.gateway !== this.#gateway)
      throw new TicketWrongGatewayError(`ticket is for gateway ${claims.gateway}, this is ${this.#gateway}`);
    if (claims.exp <= now) throw new TicketExpiredError(`ticket expired ${now - claims.exp} ms ago`);
    this.#sweep(now);
    if (this.#used.has(claims.nonce)) throw new TicketReusedError('ticket was already used');
    this.#used.set(claims.nonce, claims.exp);
    return claims;
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + 1000;
    for (const [nonce, exp] of this.#used) if (exp <= now) this.#used.delete(nonce);
  }
}

function parseClaims(body: string): TicketClaims {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new TicketInvalidError('ticket claims are not JSON');
  }
  const c = value as Partial<TicketClaims> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.uid !== 'string' ||
    c.uid === '' ||
    typeof c.gateway !== 'string' ||
    typeof c.exp !== 'number' ||
    typeof c.nonce !== 'string' ||
    c.nonce === ''
  )
    throw new TicketInvalidError('ticket claims need uid, gateway, exp and nonce');
  return { uid: c.uid, gateway: c.gateway, exp: c.exp, nonce: c.nonce };
}
