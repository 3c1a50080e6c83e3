import { defineError } from '@plexus/errors';

export const RegistryErrors = {
  unauthorized: defineError('PLX_REGISTRY_UNAUTHORIZED', 401, 'missing or invalid API key'),
  forbiddenScope: defineError<[string]>('PLX_REGISTRY_FORBIDDEN_SCOPE', 403, 'this API key lacks the %s scope'),
  platformKeyRequired: defineError('PLX_REGISTRY_PLATFORM_KEY_REQUIRED', 403, 'this operation needs a platform admin key'),
  tenantKeyRequired: defineError(
    'PLX_REGISTRY_TENANT_KEY_REQUIRED',
    403,
    'this operation acts on one tenant; use an API key of that tenant'
  ),
  tenantSuspended: defineError<[string]>('PLX_REGISTRY_TENANT_SUSPENDED', 403, 'tenant %s is suspended'),
  tenantNotFound: defineError<[string]>('PLX_REGISTRY_TENANT_NOT_FOUND', 404, 'tenant %s not found'),
  tenantExists: defineError<[string]>('PLX_REGISTRY_TENANT_EXISTS', 409, 'tenant %s already exists'),
  apiKeyNotFound: defineError<[string]>('PLX_REGISTRY_API_KEY_NOT_FOUND', 404, 'API key %s not found'),
  deviceTypeNotFound: defineError<[string]>('PLX_REGISTRY_DEVICE_TYPE_NOT_FOUND', 404, 'device type %s not found'),
  deviceTypeExists: defineError<[string]>('PLX_REGISTRY_DEVICE_TYPE_EXISTS', 409, 'device type %s already exists'),
  deviceTypeInUse: defineError<[string]>('PLX_REGISTRY_DEVICE_TYPE_IN_USE', 409, 'device type %s is used by devices'),
  invalidTelemetrySchema: defineError<[string]>(
    'PLX_REGISTRY_INVALID_TELEMETRY_SCHEMA',
    400,
    'telemetrySchema is not a valid JSON Schema: %s'
  ),
  unknownDeviceType: defineError<[string]>('PLX_REGISTRY_UNKNOWN_DEVICE_TYPE', 400, 'device type %s does not exist'),
  deviceNotFound: defineError<[string]>('PLX_REGISTRY_DEVICE_NOT_FOUND', 404, 'device %s not found'),
  deviceExists: defineError<[string]>('PLX_REGISTRY_DEVICE_EXISTS', 409, 'device %s already exists'),
  credentialNotFound: defineError<[string]>('PLX_REGISTRY_CREDENTIAL_NOT_FOUND', 404, 'credential %s not found'),
  tooManyCredentials: defineError<[number]>(
    'PLX_REGISTRY_TOO_MANY_CREDENTIALS',
    409,
    'a device holds at most %s live credentials; revoke or rotate first'
  ),
  invalidCertificate: defineError<[string, { field: string }]>(
    'PLX_REGISTRY_INVALID_CERTIFICATE',
    400,
    'certificatePem is not a usable X.509 certificate: %s'
  ),
  certificateRequired: defineError<[{ field: string }]>(
    'PLX_REGISTRY_CERTIFICATE_REQUIRED',
    400,
    'an x509 credential needs exactly one of certificatePem and fingerprint'
  ),
  certificateInUse: defineError<[string]>('PLX_REGISTRY_CERTIFICATE_IN_USE', 409, 'certificate %s is registered to another device'),
  credentialKindMismatch: defineError<[string, string, { field: string }]>(
    'PLX_REGISTRY_CREDENTIAL_KIND_MISMATCH',
    400,
    '%s does not apply to %s credentials'
  ),
  groupNotFound: defineError<[string]>('PLX_REGISTRY_GROUP_NOT_FOUND', 404, 'group %s not found'),
  groupExists: defineError<[string]>('PLX_REGISTRY_GROUP_EXISTS', 409, 'group %s already exists'),
  groupNotStatic: defineError<[string]>('PLX_REGISTRY_GROUP_NOT_STATIC', 409, 'group %s is dynamic; its members follow its query'),
  groupNotDynamic: defineError<[string]>('PLX_REGISTRY_GROUP_NOT_DYNAMIC', 409, 'group %s is static; it has no query'),
  invalidCursor: defineError('PLX_REGISTRY_INVALID_CURSOR', 400, 'cursor is not one this API returned'),
  claimTokenNotFound: defineError<[string]>('PLX_REGISTRY_CLAIM_TOKEN_NOT_FOUND', 404, 'claim token %s not found'),
  claimTokenInvalid: defineError(
    'PLX_REGISTRY_CLAIM_TOKEN_INVALID',
    401,
    'claim token is unknown, revoked, expired or used up'
  ),
  signingKeyNotFound: defineError<[string]>('PLX_REGISTRY_SIGNING_KEY_NOT_FOUND', 404, 'signing key %s not found'),
  invalidPublicKey: defineError<[string]>('PLX_REGISTRY_INVALID_PUBLIC_KEY', 400, 'publicKeyPem is not an Ed25519 SPKI PEM key: %s'),
  bulkTooManyLines: defineError<[number]>('PLX_REGISTRY_BULK_TOO_MANY_LINES', 413, 'a bulk upload holds at most %s devices'),
  bulkLineTooLong: defineError<[number]>('PLX_REGISTRY_BULK_LINE_TOO_LONG', 400, 'line is longer than %s bytes'),
  bulkInvalidJson: defineError<[string]>('PLX_REGISTRY_BULK_INVALID_JSON', 400, 'line is not JSON: %s'),
  bulkInvalidDevice: defineError<[string]>('PLX_REGISTRY_BULK_INVALID_DEVICE', 400, 'line is not a valid device: %s'),
  queryTimeout: defineError<[number]>(
    'PLX_REGISTRY_QUERY_TIMEOUT',
    503,
    'the query ran longer than %s ms; narrow it with filters, or run MongoDB (MONGODB_URI) for fleets this large'
  ),
  storeFailure: defineError<[string]>('PLX_REGISTRY_STORE_FAILURE', 500, 'registry store failed: %s')
} as const;
