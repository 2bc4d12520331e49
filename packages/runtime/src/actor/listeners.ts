// Calls user event listeners so that one that throws is logged and never unwinds into the runtime.
import type { EventEmitter } from 'eventemitter3';
import type { Logger } from 'pino';

/**
 * Emits `event` to each listener on its own: a listener that throws is logged at warn and the others
 * still run, so a user's handler can never wedge a mailbox, the dispatcher or a link's read loop.
 */
export function emitSafely<E extends EventEmitter<any>>(
  emitter: E,
  log: Logger,
  event: string,
  ...args: unknown[]
): void {
  for (const listener of emitter.listeners(event as never) as Array<(...a: unknown[]) => void>) {
    try {
      listener.apply(emitter, args);
    } catch (err) {
      log.warn({ err, event }, 'event listener threw');
    }
  }
}
