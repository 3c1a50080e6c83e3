import { RegistryErrors } from './errors.ts';

/**
 * Queries that may scan (lists, group resolution, in-use checks) run under a time limit, so one
 * request cannot occupy the store for minutes: on MongoDB they are index ranges and finish in
 * milliseconds; on FerretDB v1, which scans, a list over a million devices would not.
 */
export const SCAN_QUERY_MAX_TIME_MS = 30_000;

const MAX_TIME_MS_EXPIRED = 50;

export async function withQueryTimeLimit<T>(run: (maxTimeMS: number) => Promise<T>, maxTimeMS = SCAN_QUERY_MAX_TIME_MS): Promise<T> {
  try {
    return await run(maxTimeMS);
  } catch (error) {
    if (error !== null && typeof error === 'object' && 'code' in error && error.code === MAX_TIME_MS_EXPIRED) {
      throw RegistryErrors.queryTimeout(maxTimeMS);
    }
    throw error;
  }
}
