// The etcd provider's KvStore: cluster configuration under `<prefix>kv/`, with prefix watches.

import type { KvEvent, KvStore } from '@troupe/runtime';
import { ClosedError } from '@troupe/transport';
import type { IKeyValue, IWatchResponse, Namespace, Watcher } from 'etcd3';
import type { Logger } from 'pino';

/** The highest etcd revision a provider has seen in any answer; watches start right after it. */
export class RevisionClock {
  latest = 0;
  observe(revision: string | number | undefined): void {
    const n = Number(revision);
    if (n > this.latest) this.latest = n;
  }
}

/**
 * A KvStore over one etcd namespace. `close()` cancels every watch it handed out.
 *
 * A watch starts at the revision after the newest one this provider has seen, so it never misses a
 * change made after `watch()` returned (etcd registers watchers asynchronously); it may replay a
 * change made shortly before.
 */
export class EtcdKvStore implements KvStore {
  private readonly watchers = new Set<Watcher>();
  private closed = false;

  constructor(
    private readonly ns: Namespace,
    private readonly log: Logger,
    private readonly cancelTimeoutMs: number,
    private readonly clock: RevisionClock,
  ) {}

  async get(key: string): Promise<string | undefined> {
    this.assertOpen();
    const res = await this.ns.get(key).exec();
    this.clock.observe(res.header.revision);
    return res.kvs[0]?.value.toString();
  }

  async put(key: string, value: string): Promise<void> {
    this.assertOpen();
    const res = await this.ns.put(key).value(value).exec();
    this.clock.observe(res.header.revision);
  }

  async delete(key: string): Promise<void> {
    this.assertOpen();
    const res = await this.ns.delete().key(key).exec();
    this.clock.observe(res.header.revision);
  }

  async list(prefix: string): Promise<Array<{ key: string; value: string }>> {
    this.assertOpen();
    // exec() rather than strings(): an object would reorder integer-like keys; etcd sorts by key bytes.
    const res = await this.ns.getAll().prefix(prefix).sort('Key', 'Ascend').exec();
    this.clock.observe(res.header.revision);
    return res.kvs.map((kv: IKeyValue) => ({ key: kv.key.toString(), value: kv.value.toString() }));
  }

  watch(prefix: string, listener: (event: KvEvent) => void): () => void {
    this.assertOpen();
    // watcher() attaches at once (create() would wait for etcd), so the returned function can always cancel.
    const builder = this.ns.watch().prefix(prefix);
    if (this.clock.latest > 0) builder.startRevision(String(this.clock.latest + 1));
    const w = builder.watcher();
    this.watchers.add(w);
    w.on('data', (res: IWatchResponse) => {
      // Nothing reaches the listener once it unsubscribed, even while etcd is still cancelling.
      if (!this.watchers.has(w)) return;
      for (const ev of res.events) {
        const event: KvEvent =
          ev.type === 'Put'
            ? { type: 'put', key: ev.kv.key.toString(), value: ev.kv.value.toString() }
            : { type: 'delete', key: ev.kv.key.toString() };
        try {
          listener(event);
        } catch (err) {
          this.log.error({ err }, 'kv watch listener threw');
        }
      }
    });
    w.on('disconnected', (err) => this.log.debug({ err }, 'kv watch disconnected; resuming'));
    w.on('error', (err) => this.log.warn({ err, prefix }, 'kv watch failed'));
    return () => {
      if (!this.watchers.delete(w)) return;
      void this.cancelWatcher(w);
    };
  }

  /** Cancels every watch; later calls reject with `ClosedError`. */
  async close(): Promise<void> {
    this.closed = true;
    const watchers = [...this.watchers];
    this.watchers.clear();
    await Promise.all(watchers.map((w) => this.cancelWatcher(w)));
  }

  /** Cancels one etcd watcher, giving up after a bound (a cancel waits on etcd's answer). */
  cancelWatcher(watcher: Watcher): Promise<void> {
    return boundedCancel(watcher, this.cancelTimeoutMs, this.log);
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError('etcd membership kv store');
  }
}

/** `watcher.cancel()` with a deadline; failures are logged, never thrown (used on shutdown paths). */
export async function boundedCancel(watcher: Watcher, timeoutMs: number, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      watcher.cancel(),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          log.warn('etcd watch cancel timed out');
          resolve();
        }, timeoutMs);
      }),
    ]);
  } catch (err) {
    log.debug({ err }, 'etcd watch cancel failed');
  } finally {
    clearTimeout(timer);
  }
}
