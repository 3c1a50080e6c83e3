import { Type, type Static } from 'typebox';

/** Redis pub/sub channel on which the control plane announces revoked access. */
export const REVOCATION_CHANNEL = 'plexus:registry:revocations';

export const RevocationEvent = Type.Union([
  Type.Object({
    kind: Type.Literal('device'),
    tenantId: Type.String(),
    deviceId: Type.String(),
    reason: Type.Union([
      Type.Literal('credential-revoked'),
      Type.Literal('device-disabled'),
      Type.Literal('device-deleted')
    ])
  }),
  Type.Object({ kind: Type.Literal('tenant'), tenantId: Type.String(), reason: Type.Literal('tenant-suspended') }),
  Type.Object({ kind: Type.Literal('api-key'), tenantId: Type.Union([Type.String(), Type.Null()]), keyId: Type.String(), reason: Type.Literal('api-key-revoked') }),
  Type.Object({ kind: Type.Literal('signing-key'), tenantId: Type.String(), signingKeyId: Type.String(), reason: Type.Literal('signing-key-revoked') })
]);
export type RevocationEvent = Static<typeof RevocationEvent>;
