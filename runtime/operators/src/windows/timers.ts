/**
 * An in-memory index from event time to the keys that have something due then (a pane to fire,
 * state to free). Times are kept in a binary min-heap with one entry per distinct time, so
 * registering a key for a time that already exists is a Map lookup and a Set insert.
 */
export class TimerIndex {
  readonly #byTime = new Map<number, Set<string>>();
  readonly #heap: number[] = [];
  /** The time last registered and its key set (NaN/undefined when none or popped). */
  #lastTime = Number.NaN;
  #lastKeys: Set<string> | undefined;

  /** Number of distinct pending times. */
  get size(): number {
    return this.#heap.length;
  }

  /** Register `key` to be looked at once the watermark reaches `time`. */
  add(time: number, key: string): void {
    // Consecutive registrations mostly share a time (every window of a tumbling period ends then).
    let keys = time === this.#lastTime ? this.#lastKeys : this.#byTime.get(time);
    if (keys === undefined) {
      keys = new Set();
      this.#byTime.set(time, keys);
      this.#push(time);
    }
    this.#lastTime = time;
    this.#lastKeys = keys;
    keys.add(key);
  }

  /**
   * Remove every time `<= watermark` and return its keys in time order (then registration
   * order), each key once at its earliest due time.
   */
  popDue(watermark: number): string[] {
    const heap = this.#heap;
    if (heap.length === 0 || heap[0]! > watermark) return [];
    this.#lastTime = Number.NaN;
    this.#lastKeys = undefined;
    const first = this.#take(this.#pop());
    // One due time (the usual case): its keys are already distinct.
    if (heap.length === 0 || heap[0]! > watermark) return [...first];
    const seen = new Set<string>(first);
    while (heap.length > 0 && heap[0]! <= watermark) {
      for (const k of this.#take(this.#pop())) seen.add(k);
    }
    return [...seen];
  }

  #take(t: number): Set<string> {
    const keys = this.#byTime.get(t)!;
    this.#byTime.delete(t);
    return keys;
  }

  /** `[time, keys]` pairs, structured-clonable, for operator snapshots. */
  snapshot(): [number, string[]][] {
    const out: [number, string[]][] = [];
    for (const [t, keys] of this.#byTime) out.push([t, [...keys]]);
    return out;
  }

  /** Replace the content with a {@link snapshot}. */
  restore(entries: readonly (readonly [number, readonly string[]])[]): void {
    this.#byTime.clear();
    this.#heap.length = 0;
    this.#lastTime = Number.NaN;
    this.#lastKeys = undefined;
    for (const [t, keys] of entries) for (const k of keys) this.add(t, k);
  }

  #push(t: number): void {
    const h = this.#heap;
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]! <= t) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = t;
  }

  #pop(): number {
    const h = this.#heap;
    const top = h[0]!;
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && h[r]! < h[l]! ? r : l;
        if (h[c]! >= last) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}
