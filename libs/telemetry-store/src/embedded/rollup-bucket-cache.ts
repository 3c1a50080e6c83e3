import type { StoredRollupBucket } from '../rollup.ts';

/**
 * The rollup buckets written last, decoded, so the next point of a device updates its buckets
 * without reading and decoding them again. Valid only because the store's process is the only
 * writer; bounded, dropping the least recently used bucket first.
 */
export class RollupBucketCache {
  readonly #buckets = new Map<string, StoredRollupBucket>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(key: string): StoredRollupBucket | undefined {
    const bucket = this.#buckets.get(key);
    if (bucket !== undefined) {
      this.#buckets.delete(key);
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  set(key: string, bucket: StoredRollupBucket): void {
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#capacity) this.#buckets.delete(this.#buckets.keys().next().value as string);
  }

  clear(): void {
    this.#buckets.clear();
  }
}
