import { Type, type Static } from 'typebox';
import { TenantId, Timestamp } from './common.ts';
import { Scope } from './scopes.ts';

export const ApiKeyId = Type.String({ pattern: '^[0-9a-f]{8,32}$' });

export const ApiKey = Type.Object({
  id: ApiKeyId,
  tenantId: Type.Union([TenantId, Type.Null()], { description: 'Null for platform keys.' }),
  name: Type.String(),
  scopes: Type.Array(Scope),
  createdAt: Timestamp,
  revokedAt: Type.Union([Timestamp, Type.Null()])
});
export type ApiKey = Static<typeof ApiKey>;

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    scopes: Type.Array(Scope, { minItems: 1, uniqueItems: true })
  },
  { additionalProperties: false }
);
export type CreateApiKeyBody = Static<typeof CreateApiKeyBody>;

export const CreatedApiKey = Type.Intersect([
  ApiKey,
  Type.Object({ key: Type.String({ description: 'The secret key. Shown once; only its SHA-256 hash is stored.' }) })
]);
export type CreatedApiKey = Static<typeof CreatedApiKey>;

export const ApiKeyParams = Type.Object({ tenantId: TenantId, keyId: ApiKeyId });
