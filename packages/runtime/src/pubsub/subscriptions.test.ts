import { describe, expect, it } from 'vitest';
import { LocalSubscriptions, RemoteInterest } from './subscriptions.js';

describe('LocalSubscriptions', () => {
  it('says when a topic gains its first and loses its last subscriber', () => {
    const s = new LocalSubscriptions();
    expect(s.add('room', 'a', 'publication')).toBe(true);
    expect(s.add('room', 'b', 'publication')).toBe(false);
    expect(s.remove('room', 'a')).toBe(false);
    expect(s.remove('room', 'a')).toBe(false);
    expect(s.remove('room', 'b')).toBe(true);
    expect(s.topics()).toEqual([]);
  });

  it('groups subscribers by handler and refreshes the groups on change', () => {
    const s = new LocalSubscriptions();
    s.add('room', 'a', 'chat');
    s.add('room', 'b', 'chat');
    s.add('room', 'c', 'other');
    expect([...s.groups('room')!]).toEqual([
      ['chat', ['a', 'b']],
      ['other', ['c']],
    ]);
    s.remove('room', 'b');
    expect([...s.groups('room')!]).toEqual([
      ['chat', ['a']],
      ['other', ['c']],
    ]);
    expect(s.groups('none')).toBeUndefined();
  });

  it('drops every subscription of a stopped actor', () => {
    const s = new LocalSubscriptions();
    s.add('x', 'a', 'h');
    s.add('y', 'a', 'h');
    s.add('y', 'b', 'h');
    expect(s.removeActor('a')).toEqual(['x']);
    expect(s.hasActor('a')).toBe(false);
    expect(s.topics()).toEqual(['y']);
    expect(s.size).toBe(1);
  });
});

describe('RemoteInterest', () => {
  it('tracks nodes per topic, replaced wholesale or dropped with the node', () => {
    const r = new RemoteInterest();
    r.add(1, 'x');
    r.add(2, 'x');
    r.add(2, 'y');
    expect([...r.nodes('x')!]).toEqual([1, 2]);
    r.replace(2, ['z']);
    expect([...r.nodes('x')!]).toEqual([1]);
    expect(r.nodes('y')).toBeUndefined();
    expect([...r.nodes('z')!]).toEqual([2]);
    r.remove(1, 'x');
    expect(r.nodes('x')).toBeUndefined();
    r.dropNode(2);
    expect(r.nodes('z')).toBeUndefined();
    expect(r.nodeCount).toBe(0);
  });
});
