// Graceful stop on SIGINT/SIGTERM: the first signal stops cleanly, a second one exits at once.
import type { Logger } from 'pino';

/** Options of `onShutdown`. */
export interface ShutdownOptions {
  log: Logger;
  /** Called with the exit code; default `process.exit`. */
  exit?: (code: number) => void;
  /** Also stop when the parent process goes away (a supervised child on its IPC channel). */
  parentChannel?: boolean;
  /** Runs on the second signal, before exiting (kill what would outlive us). */
  force?: () => void;
  /** Where signals are heard; default `process` (tests pass an emitter). */
  source?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Runs `stop` on the first SIGINT/SIGTERM, then exits 0 (1 if `stop` threw). A second signal while
 * stopping exits at once with 128 + the signal number. Returns a function that removes the handlers.
 */
export function onShutdown(stop: (reason: string) => Promise<void>, options: ShutdownOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const handle = (reason: string, code: number) => {
    if (stopping) {
      options.log.warn({ reason }, 'second signal: stopping at once');
      options.force?.();
      exit(code);
      return;
    }
    stopping = true;
    options.log.info({ reason }, 'stopping gracefully (signal again to stop at once)');
    stop(reason).then(
      () => exit(0),
      (err: unknown) => {
        options.log.error({ err }, 'graceful stop failed');
        exit(1);
      },
    );
  };
  const source = options.source ?? process;
  const listeners = SIGNALS.map((signal) => {
    const fn = () => handle(signal, signal === 'SIGINT' ? 130 : 143);
    source.on(signal, fn);
    return [signal, fn] as const;
  });
  const onDisconnect = () => handle('parent exited', 143);
  if (options.parentChannel && process.channel !== undefined) process.on('disconnect', onDisconnect);
  return () => {
    for (const [signal, fn] of listeners) source.off(signal, fn);
    process.off('disconnect', onDisconnect);
  };
}
