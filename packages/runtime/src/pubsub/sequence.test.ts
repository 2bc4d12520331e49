import { describe, expect, it } from 'vitest';
import { SequenceTracker } from './sequence.js';

describe('SequenceTracker', () => {
  it('reports no gap for consecutive publications and the first one seen', () => {
    const t = new SequenceTracker();
    expect(t.observe('room', 1, 'e1', 7)).toBe(0);
    expect(t.observe('room', 1, 'e1', 8)).toBe(0);
    expect(t.observe('room', 1, 'e1', 9)).toBe(0);
  });

  it('counts the publications missed in a jump', () => {
    const t = new SequenceTracker();
    t.observe('room', 1, 'e1', 1);
    expect(t.observe('room', 1, 'e1', 5)).toBe(3);
    expect(t.observe('room', 1, 'e1', 6)).toBe(0);
  });

  it('drops duplicates and older publications', () => {
    const t = new SequenceTracker();
    t.observe('room', 1, 'e1', 4);
    expect(t.observe('room', 1, 'e1', 4)).toBe(-1);
    expect(t.observe('room', 1, 'e1', 2)).toBe(-1);
  });

  it('keeps publishers and topics apart', () => {
    const t = new SequenceTracker();
    t.observe('a', 1, 'e1', 1);
    t.observe('a', 2, 'e2', 10);
    t.observe('b', 1, 'e1', 100);
    expect(t.observe('a', 1, 'e1', 2)).toBe(0);
    expect(t.observe('a', 2, 'e2', 12)).toBe(1);
    expect(t.observe('b', 1, 'e1', 101)).toBe(0);
  });

  it('starts over on a new epoch, after forgetting a topic or a publisher', () => {
    const t = new SequenceTracker();
    t.observe('a', 1, 'e1', 50);
    expect(t.observe('a', 1, 'e2', 1)).toBe(0);
    t.forgetTopic('a');
    expect(t.observe('a', 1, 'e2', 9)).toBe(0);
    t.forgetPublisher(1);
    expect(t.size).toBe(0);
    expect(t.observe('a', 1, 'e2', 20)).toBe(0);
  });
});
