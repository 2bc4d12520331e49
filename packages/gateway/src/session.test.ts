// Resume tokens: `<id>.<secret>`, put together on demand and checked whole.
import { describe, expect, it } from 'vitest';
import type { Connection } from './connection.js';
import { Session } from './session.js';

const limits = { maxFrames: 4, maxBytes: 1024 };
/** A session needs a connection only to send; these tests send nothing. */
const noConnection = undefined as unknown as Connection;

describe('Session tokens', () => {
  it('holds its own token and no other with the same id', () => {
    const s = new Session(1, noConnection, limits);
    const [id, secret] = s.token.split('.');
    expect(id).toBe(s.id);
    expect(secret).toHaveLength(32);
    expect(s.holdsToken(s.token)).toBe(true);
    expect(s.holdsToken(`${s.id}.${'A'.repeat(32)}`)).toBe(false);
    expect(s.holdsToken(`${s.token}x`)).toBe(false);
    expect(s.holdsToken(s.id)).toBe(false);
    expect(new Session(1, noConnection, limits).holdsToken(s.token)).toBe(false);
  });

  it('is resumable only with resume limits', () => {
    expect(new Session(1, noConnection, limits).resumable).toBe(true);
    expect(new Session(1, noConnection, undefined).resumable).toBe(false);
  });
});
