import { telemetryStoreErrors } from './errors.ts';

// A cursor is the position of the last item of a page, as base64url JSON: callers treat it as
// opaque, and anything that does not decode to a position of the right kind is refused rather
// than guessed at, since a wrong guess would silently skip or repeat data.

export interface PointPosition {
  readonly at: number;
  readonly messageId: string;
}

export function encodePointCursor(position: PointPosition): string {
  return encode(['p', position.at, position.messageId]);
}

/** Throws PLX_TELEMETRY_INVALID_CURSOR for anything encodePointCursor did not make. */
export function decodePointCursor(cursor: string): PointPosition {
  const decoded = decode(cursor);
  const [kind, at, messageId] = decoded;
  if (decoded.length !== 3 || kind !== 'p' || !Number.isSafeInteger(at) || typeof messageId !== 'string') {
    throw telemetryStoreErrors.invalidCursor();
  }
  return { at: at as number, messageId };
}

export function encodeRollupCursor(bucketStart: number): string {
  return encode(['r', bucketStart]);
}

/** Throws PLX_TELEMETRY_INVALID_CURSOR for anything encodeRollupCursor did not make. */
export function decodeRollupCursor(cursor: string): number {
  const decoded = decode(cursor);
  const [kind, start] = decoded;
  if (decoded.length !== 2 || kind !== 'r' || !Number.isSafeInteger(start)) throw telemetryStoreErrors.invalidCursor();
  return start as number;
}

function encode(position: unknown[]): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decode(cursor: string): unknown[] {
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw telemetryStoreErrors.invalidCursor();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw telemetryStoreErrors.invalidCursor();
  }
  if (!Array.isArray(decoded)) throw telemetryStoreErrors.invalidCursor();
  return decoded;
}
