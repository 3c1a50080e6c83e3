import { defineError } from '@plexus/errors';

// Every error this package raises, declared once with a stable code. Callers and tests match
// on `code`; the message is for people and may change.

export const consumerErrors = {
  invalidOption: defineError<[string, string]>('PLX_CONSUMER_INVALID_OPTION', 500, "stream consumer option '%s' is invalid: %s"),
  alreadyStarted: defineError('PLX_CONSUMER_ALREADY_STARTED', 500, 'the stream consumer was already started'),
  malformedCheckpoint: defineError<[string, string]>('PLX_CONSUMER_MALFORMED_CHECKPOINT', 500, "checkpoint of shard '%s' is unreadable: %s")
} as const;
