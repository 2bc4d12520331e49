// Logical node addresses: a branded u32 of group(12).type(8).process(12), written "g.t.p".
import { InvalidAddressError } from './errors.js';

declare const addrBrand: unique symbol;
/** A node's 32-bit logical address. Make one with `Addr.parse` or `Addr.make`. */
export type Addr = number & { readonly [addrBrand]: true };

/** The node type reserved for harbor nodes, which relay traffic between groups. */
export const HARBOR_TYPE = 255;

const GROUP_MAX = 0xfff;
const TYPE_MAX = 0xff;
const PROCESS_MAX = 0xfff;

function check(part: 'group' | 'type' | 'process', v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new InvalidAddressError(part, `address ${part} ${v} is out of range ${min}..${max}`);
  }
}

function make(group: number, type: number, process: number): Addr {
  check('group', group, 1, GROUP_MAX);
  check('type', type, 1, TYPE_MAX);
  check('process', process, 0, PROCESS_MAX);
  return (((group << 20) | (type << 12) | process) >>> 0) as Addr;
}

const PART = /^(0|[1-9][0-9]{0,4})$/;

function parse(text: string): Addr {
  if (typeof text !== 'string') throw new InvalidAddressError('format', `address must be a string "g.t.p"`);
  const parts = text.split('.');
  if (parts.length !== 3) {
    throw new InvalidAddressError('format', `address "${text}" is not of the form group.type.process`);
  }
  const names = ['group', 'type', 'process'] as const;
  const nums = parts.map((p, i) => {
    if (!PART.test(p))
      throw new InvalidAddressError(names[i]!, `address ${names[i]} "${p}" in "${text}" is not a number`);
    return Number(p);
  });
  return make(nums[0]!, nums[1]!, nums[2]!);
}

/** Accepts a raw u32 (e.g. from a frame header) and checks every part. */
function from(value: number): Addr {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new InvalidAddressError('format', `address value ${value} is not a u32`);
  }
  return make(value >>> 20, (value >>> 12) & TYPE_MAX, value & PROCESS_MAX);
}

/** `Addr` helpers: construction, parsing, formatting and accessors. */
export const Addr = {
  make,
  parse,
  from,
  /** Accepts either a "g.t.p" string or an `Addr`. */
  of(value: string | Addr): Addr {
    return typeof value === 'string' ? parse(value) : from(value);
  },
  format(addr: Addr): string {
    return `${addr >>> 20}.${(addr >>> 12) & TYPE_MAX}.${addr & PROCESS_MAX}`;
  },
  group(addr: Addr): number {
    return addr >>> 20;
  },
  type(addr: Addr): number {
    return (addr >>> 12) & TYPE_MAX;
  },
  process(addr: Addr): number {
    return addr & PROCESS_MAX;
  },
  isHarbor(addr: Addr): boolean {
    return ((addr >>> 12) & TYPE_MAX) === HARBOR_TYPE;
  },
} as const;
