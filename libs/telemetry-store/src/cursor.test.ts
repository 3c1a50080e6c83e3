import { describe, expect, it } from 'vitest';
import { decodePointCursor, decodeRollupCursor, encodePointCursor, encodeRollupCursor } from './cursor.ts';
import { checkPageLimit, checkTimeRange } from './query-bounds.ts';

const codeOf = (action: () => unknown): string | undefined => {
  try {
    action();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('cursors', () => {
  it('round-trip a position as URL-safe text', () => {
    const cursor = encodePointCursor({ at: 1_700_000_000_123, messageId: 'm/ü+?=' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePointCursor(cursor)).toEqual({ at: 1_700_000_000_123, messageId: 'm/ü+?=' });
    expect(decodeRollupCursor(encodeRollupCursor(3_600_000))).toBe(3_600_000);
  });

  it('refuse anything else with PLX_TELEMETRY_INVALID_CURSOR', () => {
    const junk = ['', 'a b', '!!!', 'Zm9v', Buffer.from('{"at":1}').toString('base64url'), Buffer.from('["p",1.5,"m"]').toString('base64url'), Buffer.from('["p",1,2]').toString('base64url'), Buffer.from('["p",1,"m",4]').toString('base64url')];
    for (const cursor of [...junk, encodeRollupCursor(1)]) expect(codeOf(() => decodePointCursor(cursor))).toBe('PLX_TELEMETRY_INVALID_CURSOR');
    for (const cursor of [...junk, encodePointCursor({ at: 1, messageId: 'm' })]) expect(codeOf(() => decodeRollupCursor(cursor))).toBe('PLX_TELEMETRY_INVALID_CURSOR');
  });
});

describe('query bounds', () => {
  it('accept limits 1..10 000 and ranges with from <= to', () => {
    expect(codeOf(() => checkPageLimit(1))).toBeUndefined();
    expect(codeOf(() => checkPageLimit(10_000))).toBeUndefined();
    expect(codeOf(() => checkTimeRange({ from: 5, to: 5 }))).toBeUndefined();
  });

  it('refuse others with their codes', () => {
    for (const limit of [0, 10_001, 2.5, Number.NaN]) expect(codeOf(() => checkPageLimit(limit))).toBe('PLX_TELEMETRY_INVALID_LIMIT');
    for (const range of [{ from: 6, to: 5 }, { from: Number.NaN, to: 5 }, { from: 0, to: Infinity }, { from: 0.5, to: 1 }]) {
      expect(codeOf(() => checkTimeRange(range))).toBe('PLX_TELEMETRY_INVALID_RANGE');
    }
  });
});
