// Entity state storage: the interface, an in-memory store for tests, and a file store for one host.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StaleEpochError } from './errors.js';

/** A saved state and the fencing epoch of the activation that saved it. */
export interface Saved {
  state: unknown;
  epoch: number;
}

/**
 * Where persistent entities keep their state. `save` must refuse (with `StaleEpochError`) a state
 * whose epoch is older than the stored one: that is what keeps an owner that lost the entity, and
 * came back, from overwriting the new owner's state.
 */
export interface EntityStorage {
  load(kind: string, id: string): Promise<Saved | undefined>;
  save(kind: string, id: string, state: unknown, epoch: number): Promise<void>;
}

/** Storage in this process's memory (tests, or state that may die with the process). */
export class MemoryStorage implements EntityStorage {
  readonly #data = new Map<string, Saved>();

  async load(kind: string, id: string): Promise<Saved | undefined> {
    const saved = this.#data.get(`${kind}/${id}`);
    return saved === undefined ? undefined : { epoch: saved.epoch, state: structuredClone(saved.state) };
  }

  async save(kind: string, id: string, state: unknown, epoch: number): Promise<void> {
    const key = `${kind}/${id}`;
    const stored = this.#data.get(key);
    if (stored !== undefined && stored.epoch > epoch) throw new StaleEpochError(key, epoch, stored.epoch);
    this.#data.set(key, { epoch, state: structuredClone(state) });
  }

  /** Entities stored. */
  get size(): number {
    return this.#data.size;
  }
}

/**
 * One JSON file per entity under `dir` (`<kind>/<id>.json`, the id URI-encoded), written to a temporary
 * file and renamed, so a crash leaves the old state or the new one, never half of one. Saves of one
 * entity are serialised in this process; the epoch check is per process, enough for the embedded
 * default (one host). States must be JSON values.
 */
export class FileStorage implements EntityStorage {
  readonly #dir: string;
  readonly #chains = new Map<string, Promise<unknown>>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  async load(kind: string, id: string): Promise<Saved | undefined> {
    try {
      const text = await readFile(this.#file(kind, id), 'utf8');
      const saved = JSON.parse(text) as Saved;
      return { state: saved.state, epoch: saved.epoch };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  save(kind: string, id: string, state: unknown, epoch: number): Promise<void> {
    const file = this.#file(kind, id);
    const previous = this.#chains.get(file) ?? Promise.resolve();
    const next = previous
      .catch(() => {})
      .then(async () => {
        const stored = await this.load(kind, id);
        if (stored !== undefined && stored.epoch > epoch)
          throw new StaleEpochError(`${kind}/${id}`, epoch, stored.epoch);
        await mkdir(path.dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify({ epoch, state }));
        await rename(tmp, file);
      });
    this.#chains.set(file, next);
    // The chain entry goes once this save is the last one queued for the file.
    void next
      .finally(() => {
        if (this.#chains.get(file) === next) this.#chains.delete(file);
      })
      .catch(() => {});
    return next;
  }

  #file(kind: string, id: string): string {
    return path.join(this.#dir, kind, `${encodeURIComponent(id)}.json`);
  }
}
