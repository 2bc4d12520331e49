// The extensions a node gets without asking: the harbor on harbor nodes (type 255).
import { Addr } from '@troupe/transport';
import { harbor } from '../harbor/extension.js';
import type { Extension } from './extension.js';

/** Extensions a node at `addr` runs by default, unless one of the same name is given. */
export function defaultExtensions(addr: Addr, given: readonly Extension[]): Extension[] {
  const out: Extension[] = [];
  if (Addr.isHarbor(addr) && !given.some((e) => e.name === 'harbor')) out.push(harbor());
  return out;
}
