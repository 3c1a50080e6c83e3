import { RegistryErrors } from './errors.ts';

// Cursors are opaque to clients so the paging key can change without breaking them.

export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value !== null && typeof value === 'object' && 'after' in value && typeof value.after === 'string') {
      return value.after;
    }
  } catch {
    // fall through to the catalog error
  }
  throw RegistryErrors.invalidCursor();
}
