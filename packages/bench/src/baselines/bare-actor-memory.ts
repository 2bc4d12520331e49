// What an idle actor costs at the least in V8: a registry entry, a name, a state object and a bare mailbox.
import { BareMailbox } from './bare-mailbox.js';

interface BareActor {
  name: string;
  state: object;
  mailbox: BareMailbox<unknown>;
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('actor memory needs node --expose-gc');
  gc();
  gc();
}

/** Heap bytes per bare actor record, `count` of them held in a Map by name; run in a fresh process. */
export function bareActorBytes(count: number): number {
  collect();
  const before = process.memoryUsage().heapUsed;
  const registry = new Map<string, BareActor>();
  for (let i = 0; i < count; i++) {
    const actor: BareActor = { name: `actor-${i}`, state: {}, mailbox: new BareMailbox(() => {}) };
    registry.set(actor.name, actor);
  }
  collect();
  const after = process.memoryUsage().heapUsed;
  if (registry.size !== count) throw new Error('registry lost actors');
  return (after - before) / count;
}
