import { telemetryStoreErrors } from './errors.ts';
import type { TimeRange } from './time-series-store.ts';

export const MAX_PAGE_LIMIT = 10_000;

/** Throws PLX_TELEMETRY_INVALID_RANGE unless `from` and `to` are integers with from <= to. */
export function checkTimeRange(range: TimeRange): void {
  if (!Number.isSafeInteger(range.from) || !Number.isSafeInteger(range.to) || range.from > range.to) {
    throw telemetryStoreErrors.invalidRange(range.from, range.to);
  }
}

/** Throws PLX_TELEMETRY_INVALID_LIMIT unless 1 <= limit <= MAX_PAGE_LIMIT. */
export function checkPageLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) throw telemetryStoreErrors.invalidLimit(limit, MAX_PAGE_LIMIT);
}
