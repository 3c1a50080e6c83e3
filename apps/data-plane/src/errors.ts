import { defineError } from '@plexus/errors';

export const DataPlaneErrors = {
  validation: defineError<[string]>('PLX_DATA_VALIDATION', 400, '%s'),
  invalidJson: defineError<[string]>('PLX_DATA_INVALID_JSON', 400, 'request body is not valid JSON: %s'),
  bodyTooLarge: defineError<[number]>('PLX_DATA_BODY_TOO_LARGE', 413, 'request body is larger than %s bytes'),
  unsupportedMediaType: defineError<[string]>('PLX_DATA_UNSUPPORTED_MEDIA_TYPE', 415, 'unsupported content type %s'),
  badRequest: defineError<[string]>('PLX_DATA_BAD_REQUEST', 400, '%s'),
  routeNotFound: defineError<[string, string]>('PLX_DATA_ROUTE_NOT_FOUND', 404, 'no route %s %s'),
  internal: defineError('PLX_DATA_INTERNAL', 500, 'internal error; the request id is in the logs'),
  unauthorized: defineError('PLX_DATA_UNAUTHORIZED', 401, 'missing, unknown or revoked API key'),
  tenantSuspended: defineError<[string]>('PLX_DATA_TENANT_SUSPENDED', 403, "tenant '%s' is suspended"),
  tenantKeyRequired: defineError('PLX_DATA_TENANT_KEY_REQUIRED', 403, 'this API acts on one tenant: use a tenant API key'),
  forbiddenScope: defineError<[string]>('PLX_DATA_FORBIDDEN_SCOPE', 403, 'the API key lacks the %s scope'),
  invalidInstant: defineError<[string, { field: string }]>('PLX_DATA_INVALID_TIME', 400, '%s is not epoch milliseconds or an ISO 8601 date-time'),
  invalidRange: defineError<[{ field: string }]>('PLX_DATA_INVALID_RANGE', 400, 'from must not be after to'),
  shadowNotFound: defineError<[string]>('PLX_SHADOW_NOT_FOUND', 404, "device '%s' has no shadow yet"),
  noTelemetry: defineError<[string]>('PLX_TELEMETRY_NOT_FOUND', 404, "device '%s' has no stored telemetry")
} as const;
