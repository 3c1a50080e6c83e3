import { defineError } from '@plexus/errors';

// Why a record was dead-lettered instead of stored. Codes are stable: operators filter on them.
export const IngestErrors = {
  undecodable: defineError<[string]>('PLX_INGEST_UNDECODABLE', 422, 'not a stream record: %s'),
  unknownDevice: defineError<[string, string]>('PLX_INGEST_UNKNOWN_DEVICE', 422, "device '%s' of tenant '%s' is not registered"),
  payloadTooLarge: defineError<[number, number]>('PLX_INGEST_PAYLOAD_TOO_LARGE', 422, 'payload of %s bytes is over the %s-byte limit'),
  notJson: defineError('PLX_INGEST_NOT_JSON', 422, "payload is not JSON, but the device type's telemetry schema needs JSON"),
  schemaMismatch: defineError<[string]>('PLX_INGEST_SCHEMA_MISMATCH', 422, "payload does not match the device type's telemetry schema: %s"),
  badShadowMessage: defineError<[string]>('PLX_SHADOW_BAD_MESSAGE', 400, 'shadow message is not valid: %s'),
  shadowNotFound: defineError<[string]>('PLX_SHADOW_NOT_FOUND', 404, "device '%s' has no shadow yet")
} as const;
