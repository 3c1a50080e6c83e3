/** Fetches the values of many keys in one call; answers in the order of the keys. */
export type FetchBatch<V> = (keys: readonly string[]) => Promise<V[]>;

export interface BatchedLookupOptions {
  readonly maxBatch: number;
  /** How long the first miss waits for others to join its call. */
  readonly lingerMs: number;
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly now?: () => number;
}

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
}

/**
 * A cache in front of a batch endpoint: concurrent misses are coalesced into one call (chunked),
 * a key already being fetched shares that answer, and answers live for a TTL or until forgotten.
 */
export class BatchedLookup<V> {
  private readonly fetchBatch: FetchBatch<V>;
  private readonly options: BatchedLookupOptions;
  private readonly now: () => number;
  private readonly cache = new Map<string, Entry<V>>();
  private readonly pending = new Map<string, Promise<V>>();
  private queued = new Map<string, { resolve(value: V): void; reject(error: unknown): void }[]>();
  private timer: NodeJS.Timeout | undefined;
  hits = 0;
  calls = 0;

  constructor(fetchBatch: FetchBatch<V>, options: BatchedLookupOptions) {
    this.fetchBatch = fetchBatch;
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.cache.size;
  }

  get(key: string): Promise<V> {
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > this.now()) {
      this.hits++;
      return Promise.resolve(cached.value);
    }
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const answer = new Promise<V>((resolve, reject) => {
      const waiters = this.queued.get(key) ?? [];
      waiters.push({ resolve, reject });
      this.queued.set(key, waiters);
    });
    this.pending.set(key, answer);
    if (this.queued.size >= this.options.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs);
    return answer;
  }

  getMany(keys: readonly string[]): Promise<V[]> {
    return Promise.all(keys.map((key) => this.get(key)));
  }

  /** Drops cached answers whose key or value matches (a revocation). */
  forget(matches: (key: string, value: V) => boolean): void {
    for (const [key, entry] of this.cache) if (matches(key, entry.value)) this.cache.delete(key);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queued;
    this.queued = new Map();
    const keys = [...batch.keys()];
    for (let start = 0; start < keys.length; start += this.options.maxBatch) {
      const chunk = keys.slice(start, start + this.options.maxBatch);
      this.calls++;
      this.fetchBatch(chunk).then(
        (values) => {
          const expiresAt = this.now() + this.options.ttlMs;
          chunk.forEach((key, index) => {
            const value = values[index] as V;
            if (this.cache.size >= this.options.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
            this.cache.set(key, { value, expiresAt });
            this.pending.delete(key);
            for (const waiter of batch.get(key) ?? []) waiter.resolve(value);
          });
        },
        (error: unknown) => {
          for (const key of chunk) {
            this.pending.delete(key);
            for (const waiter of batch.get(key) ?? []) waiter.reject(error);
          }
        }
      );
    }
  }
}
