// The live actors of a node by name, with the operations the host runs on them: suspend/resume a
// mailbox, and stop them all with a bounded drain.
import type { ActorCell } from './cell.js';

export class CellRegistry extends Map<string, ActorCell> {
  #emptied: (() => void) | undefined;

  override delete(name: string): boolean {
    const gone = super.delete(name);
    if (gone && this.size === 0) this.#emptied?.();
    return gone;
  }

  /**
   * Holds back the user messages of the named actor (system messages, stop included, still run), so
   * a stream or a slow session can push back. Returns false when no such actor runs.
   */
  suspend(name: string): boolean {
    const cell = this.get(name);
    if (cell === undefined) return false;
    cell.suspend();
    return true;
  }

  /** Lets a suspended actor's user messages run again. Returns false when no such actor runs. */
  resume(name: string): boolean {
    const cell = this.get(name);
    if (cell === undefined) return false;
    cell.resume();
    return true;
  }

  /** Whether the named actor's mailbox is suspended. */
  isSuspended(name: string): boolean {
    return this.get(name)?.suspended === true;
  }

  /**
   * Stops every actor: idle ones at once, busy ones (a handler running or an async one pending) when
   * their handler settles, for at most `drainMs`; then the rest are stopped anyway and their pending
   * asks fail with `ActorStoppedError`. Queued messages are not run (their asks fail the same way).
   */
  async stopAll(reason: string, drainMs: number): Promise<void> {
    for (const cell of [...this.values()]) cell.stopNow(reason);
    if (this.size > 0 && drainMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#emptied = resolve;
        timer = setTimeout(resolve, drainMs);
      });
      clearTimeout(timer);
      this.#emptied = undefined;
    }
    for (const cell of [...this.values()]) cell.forceStop(`${reason} (drain timed out after ${drainMs} ms)`);
  }
}
