// An in-memory KvStore with prefix watches: the static provider's store and the center's registry KV.
import type { KvEvent, KvStore } from './provider.js';

export class MemoryKv implements KvStore {
  private readonly data = new Map<string, string>();
  private readonly watchers = new Set<{ prefix: string; listener: (e: KvEvent) => void }>();

  constructor(initial?: Record<string, string>) {
    if (initial) for (const [k, v] of Object.entries(initial)) this.data.set(k, v);
  }

  async get(key: string): Promise<string | undefined> {
    return this.data.get(key);
  }

  async put(key: string, value: string): Promise<void> {
    this.putSync(key, value);
  }

  async delete(key: string): Promise<void> {
    this.deleteSync(key);
  }

  async list(prefix: string): Promise<Array<{ key: string; value: string }>> {
    return this.entries(prefix);
  }

  watch(prefix: string, listener: (event: KvEvent) => void): () => void {
    const w = { prefix, listener };
    this.watchers.add(w);
    return () => {
      this.watchers.delete(w);
    };
  }

  putSync(key: string, value: string): void {
    if (this.data.get(key) === value) return;
    this.data.set(key, value);
    this.notify({ type: 'put', key, value });
  }

  deleteSync(key: string): boolean {
    if (!this.data.delete(key)) return false;
    this.notify({ type: 'delete', key });
    return true;
  }

  entries(prefix = ''): Array<{ key: string; value: string }> {
    const out: Array<{ key: string; value: string }> = [];
    for (const [key, value] of this.data) if (key.startsWith(prefix)) out.push({ key, value });
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out;
  }

  /** Replaces the whole content (a mirror catching up), notifying watchers of what changed. */
  replaceAll(entries: Array<{ key: string; value: string }>): void {
    const next = new Map(entries.map((e) => [e.key, e.value]));
    for (const key of [...this.data.keys()]) if (!next.has(key)) this.deleteSync(key);
    for (const [key, value] of next) this.putSync(key, value);
  }

  /** Everything, for persistence. */
  toJSON(): Record<string, string> {
    return Object.fromEntries(this.data);
  }

  private notify(event: KvEvent): void {
    for (const w of this.watchers) {
      if (!event.key.startsWith(w.prefix)) continue;
      try {
        w.listener(event);
      } catch {
        // A watcher's failure is its own; the store and other watchers go on.
      }
    }
  }
}
