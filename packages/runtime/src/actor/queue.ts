// A growable ring buffer: O(1) push and shift without the array-shift copying of `Array#shift`.

const EMPTY: unknown[] = [];

export class Queue<T> {
  private items: (T | undefined)[] = EMPTY as (T | undefined)[];
  private head = 0;
  private count = 0;

  /** `capacity` (a power of two) is allocated on the first push, so an idle queue holds no array. */
  constructor(private readonly capacity = 16) {}

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & (this.items.length - 1)] = item;
    this.count++;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.count--;
    return item;
  }

  /** Removes and returns everything, oldest first. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }

  private grow(): void {
    const old = this.items;
    const next = new Array<T | undefined>(old.length === 0 ? this.capacity : old.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.items = next;
    this.head = 0;
  }
}
