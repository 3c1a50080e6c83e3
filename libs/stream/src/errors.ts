import { defineError } from '@plexus/errors';

// Every error this package raises, declared once with a stable code. Callers and tests match
// on `code`; the message is for people and may change.

export const streamErrors = {
  malformedRecord: defineError<[string]>('PLX_STREAM_MALFORMED_RECORD', 400, 'not a Plexus stream record: %s'),
  invalidRecord: defineError<[string]>('PLX_STREAM_INVALID_RECORD', 400, 'stream record rejected before sending: %s'),
  recordTooLarge: defineError<[number, number]>(
    'PLX_STREAM_RECORD_TOO_LARGE',
    413,
    'stream record of %s bytes exceeds the %s bytes one Kinesis record can carry'
  ),
  bufferFull: defineError<[number, number]>(
    'PLX_STREAM_BUFFER_FULL',
    503,
    'producer buffer is full (%s records, %s bytes); wait for drain before putting more'
  ),
  producerClosed: defineError('PLX_STREAM_PRODUCER_CLOSED', 503, 'the stream producer is closed'),
  putRejected: defineError<[string, string]>('PLX_STREAM_PUT_REJECTED', 502, 'Kinesis refused the record for good: %s: %s'),
  streamNotActive: defineError<[string, number, string]>(
    'PLX_STREAM_NOT_ACTIVE',
    503,
    "stream '%s' was not ACTIVE within %s s (last status: %s)"
  ),
  corruptAggregate: defineError<[string, string]>('PLX_STREAM_CORRUPT_AGGREGATE', 500, 'Kinesis record %s could not be de-aggregated: %s')
} as const;
