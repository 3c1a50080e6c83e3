import { defineError } from '@plexus/errors';

// Every error this package raises, declared once with a stable code. Callers and tests match
// on `code`; the message is for people and may change.

export const telemetryStoreErrors = {
  shadowVersionConflict: defineError<[string, number, number]>(
    'PLX_SHADOW_VERSION_CONFLICT',
    409,
    "shadow of device '%s' is at version %s, not the expected %s"
  ),
  invalidCursor: defineError('PLX_TELEMETRY_INVALID_CURSOR', 400, 'cursor is not one this query returned'),
  invalidRange: defineError<[number, number]>(
    'PLX_TELEMETRY_INVALID_RANGE',
    400,
    'time range from=%s to=%s is not a pair of epoch milliseconds with from <= to'
  ),
  invalidLimit: defineError<[number, number]>('PLX_TELEMETRY_INVALID_LIMIT', 400, 'limit %s is not an integer from 1 to %s')
} as const;
