import { describe, expect, it } from 'vitest';
import { withQueryTimeLimit } from './query-time-limit.ts';

describe('withQueryTimeLimit', () => {
  it('passes the limit to the query and returns its result', async () => {
    expect(await withQueryTimeLimit(async (maxTimeMS) => maxTimeMS, 1234)).toBe(1234);
  });

  it('turns the engine\'s MaxTimeMSExpired into a catalog error naming the limit', async () => {
    const expired = Object.assign(new Error('operation exceeded time limit'), { code: 50 });
    await expect(withQueryTimeLimit(() => Promise.reject(expired), 500)).rejects.toMatchObject({
      code: 'PLX_REGISTRY_QUERY_TIMEOUT',
      statusCode: 503,
      message: expect.stringContaining('500 ms')
    });
  });

  it('leaves other errors alone', async () => {
    const other = Object.assign(new Error('boom'), { code: 11000 });
    await expect(withQueryTimeLimit(() => Promise.reject(other))).rejects.toBe(other);
  });
});
