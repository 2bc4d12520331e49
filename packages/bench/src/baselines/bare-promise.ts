// The floor for local-ask: promise round trips through a resolver map, answered by a microtask-drained actor.
import { BareMailbox } from './bare-mailbox.js';

interface Request {
  id: number;
  value: unknown;
}

/**
 * `inFlight` loops each awaiting one ask at a time for `ms`; returns completed asks. An ask registers its
 * resolver under a fresh id and posts `{id, value}` to a bare mailbox whose handler resolves it with the value.
 */
export async function barePromiseAsks(ms: number, inFlight: number): Promise<number> {
  const resolvers = new Map<number, (value: unknown) => void>();
  const actor = new BareMailbox<Request>((req) => {
    const resolve = resolvers.get(req.id);
    resolvers.delete(req.id);
    resolve?.(req.value);
  });
  let nextId = 0;
  const ask = (value: unknown): Promise<unknown> =>
    new Promise((resolve) => {
      const id = ++nextId;
      resolvers.set(id, resolve);
      actor.post({ id, value });
    });

  const deadline = performance.now() + ms;
  let done = 0;
  let running = true;
  const loop = async (): Promise<void> => {
    while (running) {
      await ask(done);
      done++;
      if ((done & 255) === 0 && performance.now() >= deadline) running = false;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  return done;
}
