import { RulesErrors } from './errors.ts';

// Rules and alerts are keyed `${tenantId}/${localId}`, as in the registry: per-tenant
// uniqueness from the primary key, and a tenant's records as one `_id` range, the one predicate
// FerretDB's SQLite backend answers from an index (it scans for anything else).

export function tenantKey(tenantId: string, localId: string): string {
  return `${tenantId}/${localId}`;
}

export function localIdOf(key: string): string {
  return key.slice(key.indexOf('/') + 1);
}

/** `_id` bounds of all of a tenant's records: `/` (0x2f) sorts just before `0` (0x30). */
export function tenantRange(tenantId: string): { $gt: string; $lt: string } {
  return { $gt: `${tenantId}/`, $lt: `${tenantId}0` };
}

export function isDuplicateKeyError(error: unknown): boolean {
  return error !== null && typeof error === 'object' && 'code' in error && error.code === 11000;
}

// Cursors are opaque to clients so the paging key can change without breaking them.

export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value !== null && typeof value === 'object' && 'after' in value && typeof value.after === 'string') return value.after;
  } catch {
    // fall through to the catalog error
  }
  throw RulesErrors.invalidCursor();
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
