// The uid registry: replace and refuse policies, late releases, gateway loss, agreed owners.
import type { MemberRecord } from '@troupe/runtime';
import { describe, expect, it } from 'vitest';
import { DuplicateLoginError } from './errors.js';
import { UidRegistry, uidOwner } from './uid-registry.js';

const a = { gateway: 1, id: 'a' };
const b = { gateway: 2, id: 'b' };

describe('UidRegistry', () => {
  it('replace: the second claim wins and names the session to close; its late release is ignored', () => {
    const r = new UidRegistry();
    expect(r.claim('ada', a, 'replace').replaced).toBeUndefined();
    expect(r.claim('ada', b, 'replace').replaced).toEqual(a);
    expect(r.release('ada', a)).toBe(false);
    expect(r.locate('ada')).toEqual(b);
    expect(r.release('ada', b)).toBe(true);
    expect(r.locate('ada')).toBeUndefined();
  });

  it('refuse: a second session is refused, the same session may claim again', () => {
    const r = new UidRegistry();
    r.claim('ada', a, 'refuse');
    expect(() => r.claim('ada', b, 'refuse')).toThrow(DuplicateLoginError);
    expect(r.claim('ada', a, 'refuse').replaced).toBeUndefined();
  });

  it('forgets the sessions of a gateway that went down', () => {
    const r = new UidRegistry();
    r.claim('ada', a, 'replace');
    r.claim('bob', b, 'replace');
    expect(r.dropGateway(1)).toBe(1);
    expect(r.locate('ada')).toBeUndefined();
    expect(r.locate('bob')).toEqual(b);
  });

  it('every node computes the same owner from the same members', () => {
    const m = (addr: number) => ({ addr }) as MemberRecord;
    const owners = new Set([0, 1, 2].map(() => uidOwner('ada', [m(3), m(1), m(2)])?.addr));
    expect(owners.size).toBe(1);
    const spread = new Set(Array.from({ length: 60 }, (_, i) => uidOwner(`u${i}`, [m(1), m(2), m(3)])?.addr));
    expect(spread.size).toBe(3);
  });
});
