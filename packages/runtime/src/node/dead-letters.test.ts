// Dead letters fold the runtime's free-text reasons into a bounded set.
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_REASONS, DeadLetterCounts, deadLetterReason } from './dead-letters.js';

describe('dead letter reasons', () => {
  it('map every reason the runtime gives to its category, anything else to other', () => {
    const cases: Array<[string, string]> = [
      ['actor not found', 'actor not found'],
      ['unknown handler', 'unknown handler'],
      ['mailbox of 1.1.1/room is full (1000 messages)', 'mailbox full'],
      ['mailbox full', 'mailbox full'],
      ['actor stopped: crashed', 'actor stopped'],
      ['malformed frame: bad kind 7', 'malformed frame'],
      ['undecodable body', 'undecodable body'],
      ['undecodable argument', 'undecodable argument'],
      ['call without target or handler', 'call without target or handler'],
      ['reply to ask 812 nobody waits for', 'reply nobody waits for'],
      ['harbor frame handler threw', 'frame handler threw'],
      ['something new 42', 'other'],
    ];
    for (const [text, reason] of cases) expect(deadLetterReason(text), text).toBe(reason);
    expect(DEAD_LETTER_REASONS.at(-1)).toBe('other');
  });

  it('count by reason and in total', () => {
    const counts = new DeadLetterCounts();
    for (const text of ['actor not found', 'actor not found', 'reply to ask 1 nobody waits for', 'x'])
      counts.add(text);
    expect(counts.total).toBe(4);
    expect(counts.byReason()).toEqual({ 'actor not found': 2, 'reply nobody waits for': 1, other: 1 });
  });
});
