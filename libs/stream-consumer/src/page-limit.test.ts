import { describe, expect, it } from 'vitest';
import { nextPageLimit, TARGET_PAGE_BYTES } from './shard-reader.ts';

const records = (count: number, bytes: number) => Array.from({ length: count }, () => ({ Data: new Uint8Array(bytes) }));

describe('nextPageLimit', () => {
  it('keeps a page of full KPL aggregates near the target instead of a whole backlog', () => {
    expect(nextPageLimit(records(10, 1024 * 1024), 10, 1000)).toBe(4);
    expect(4 * 1024 * 1024).toBeLessThanOrEqual(TARGET_PAGE_BYTES);
  });

  it('grows to the maximum for small records and never below one', () => {
    expect(nextPageLimit(records(10, 200), 10, 1000)).toBe(1000);
    expect(nextPageLimit(records(1, 64 * 1024 * 1024), 10, 1000)).toBe(1);
  });

  it('keeps the previous limit after an empty page', () => {
    expect(nextPageLimit([], 37, 1000)).toBe(37);
  });
});
