import { describe, expect, it } from 'vitest';
import { Addr, HARBOR_TYPE } from './addr.js';
import { InvalidAddressError } from './errors.js';

describe('Addr', () => {
  it('packs group.type.process into 12.8.12 bits', () => {
    const a = Addr.make(1, 2, 3);
    expect(a).toBe((1 << 20) | (2 << 12) | 3);
    expect(Addr.format(a)).toBe('1.2.3');
    expect(Addr.group(a)).toBe(1);
    expect(Addr.type(a)).toBe(2);
    expect(Addr.process(a)).toBe(3);
  });

  it('round-trips the extremes', () => {
    const a = Addr.parse('4095.255.4095');
    expect(a).toBe(0xffffffff);
    expect(Addr.format(a)).toBe('4095.255.4095');
    expect(Addr.isHarbor(a)).toBe(true);
    expect(Addr.type(a)).toBe(HARBOR_TYPE);
    expect(Addr.from(a)).toBe(a);
  });

  it.each([
    ['0.1.1', 'group'],
    ['4096.1.1', 'group'],
    ['1.0.1', 'type'],
    ['1.256.1', 'type'],
    ['1.1.4096', 'process'],
    ['1.x.1', 'type'],
    ['1.1.-1', 'process'],
    ['1.1', 'format'],
    ['1.1.1.1', 'format'],
    ['', 'format'],
  ])('rejects %s naming the %s', (text, part) => {
    try {
      Addr.parse(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidAddressError);
      expect((err as InvalidAddressError).part).toBe(part);
      expect((err as InvalidAddressError).code).toBe('INVALID_ADDRESS');
    }
  });

  it('rejects out-of-range parts in make', () => {
    expect(() => Addr.make(1, 1, 5000)).toThrow(/process/);
    expect(() => Addr.make(1.5, 1, 1)).toThrow(/group/);
  });
});
