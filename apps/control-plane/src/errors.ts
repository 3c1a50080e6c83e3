import { defineError } from '@plexus/errors';

export const ControlPlaneErrors = {
  validation: defineError<[string]>('PLX_CONTROL_VALIDATION', 400, '%s'),
  invalidJson: defineError<[string]>('PLX_CONTROL_INVALID_JSON', 400, 'request body is not valid JSON: %s'),
  bodyTooLarge: defineError<[number]>('PLX_CONTROL_BODY_TOO_LARGE', 413, 'request body is larger than %s bytes'),
  unsupportedMediaType: defineError<[string]>('PLX_CONTROL_UNSUPPORTED_MEDIA_TYPE', 415, 'unsupported content type %s'),
  badRequest: defineError<[string]>('PLX_CONTROL_BAD_REQUEST', 400, '%s'),
  routeNotFound: defineError<[string, string]>('PLX_CONTROL_ROUTE_NOT_FOUND', 404, 'no route %s %s'),
  internalUnauthorized: defineError('PLX_CONTROL_INTERNAL_UNAUTHORIZED', 401, 'missing or invalid internal service token'),
  internal: defineError('PLX_CONTROL_INTERNAL', 500, 'internal error; the request id is in the logs')
} as const;
