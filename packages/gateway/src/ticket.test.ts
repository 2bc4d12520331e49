// Tickets: single use, forged, expired and other-gateway tickets refused, nonces forgotten after expiry.
import { describe, expect, it } from 'vitest';
import {
  TicketExpiredError,
  TicketInvalidError,
  TicketReusedError,
  TicketWrongGatewayError,
} from './errors.js';
import { issueTicket, TicketVerifier } from './ticket.js';

const secret = 'a-ticket-secret-of-some-length';

describe('tickets', () => {
  it('verifies once, then refuses the same ticket as reused', () => {
    const v = new TicketVerifier(secret, '1.1.1');
    const t = issueTicket(secret, { uid: 'ada', gateway: '1.1.1' });
    expect(v.verify(t)).toMatchObject({ uid: 'ada', gateway: '1.1.1' });
    expect(() => v.verify(t)).toThrow(TicketReusedError);
  });

  it('refuses forged, expired and other-gateway tickets with their own errors', () => {
    const v = new TicketVerifier(secret, '1.1.1');
    const forged = issueTicket('another-secret-entirely', { uid: 'ada', gateway: '1.1.1' });
    expect(() => v.verify(forged)).toThrow(TicketInvalidError);
    const good = issueTicket(secret, { uid: 'ada', gateway: '1.1.1' });
    const [, sig] = good.split('.');
    const tampered = `${Buffer.from(JSON.stringify({ uid: 'root', gateway: '1.1.1', exp: Date.now() + 1e6, nonce: 'x' })).toString('base64url')}.${sig}`;
    expect(() => v.verify(tampered)).toThrow(TicketInvalidError);
    expect(() => v.verify(issueTicket(secret, { uid: 'a', gateway: '1.1.1', ttlMs: -1 }))).toThrow(
      TicketExpiredError,
    );
    expect(() => v.verify(issueTicket(secret, { uid: 'a', gateway: '1.1.2' }))).toThrow(
      TicketWrongGatewayError,
    );
    expect(() => v.verify('garbage')).toThrow(TicketInvalidError);
    expect(() => v.verify(42)).toThrow(TicketInvalidError);
  });

  it('forgets nonces once their tickets have expired', () => {
    const v = new TicketVerifier(secret, '1.1.1');
    const now = 1_000_000;
    v.verify(issueTicket(secret, { uid: 'a', gateway: '1.1.1', ttlMs: 100, now }), now);
    expect(v.remembered).toBe(1);
    v.verify(issueTicket(secret, { uid: 'b', gateway: '1.1.1', ttlMs: 5000, now: now + 2000 }), now + 2000);
    expect(v.remembered).toBe(1);
  });

  it('refuses a short secret naming the option', () => {
    expect(() => new TicketVerifier('short', '1.1.1')).toThrow(/ticketSecret/);
  });
});
