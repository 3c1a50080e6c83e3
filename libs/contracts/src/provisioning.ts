import { Type, type Static } from 'typebox';
import { Attributes, DeviceId, Slug, Tags, Timestamp } from './common.ts';

export const ClaimTokenId = Type.String({ pattern: '^[0-9a-f]{16}$' });

export const ClaimToken = Type.Object({
  id: ClaimTokenId,
  deviceType: Slug,
  tags: Tags,
  maxUses: Type.Integer(),
  uses: Type.Integer(),
  expiresAt: Timestamp,
  createdAt: Timestamp,
  revokedAt: Type.Union([Timestamp, Type.Null()])
});
export type ClaimToken = Static<typeof ClaimToken>;

export const CreateClaimTokenBody = Type.Object(
  {
    deviceType: Slug,
    tags: Type.Optional(Tags),
    maxUses: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    ttlSeconds: Type.Integer({ minimum: 60, maximum: 365 * 24 * 3600 })
  },
  { additionalProperties: false }
);
export type CreateClaimTokenBody = Static<typeof CreateClaimTokenBody>;

export const CreatedClaimToken = Type.Intersect([
  ClaimToken,
  Type.Object({ token: Type.String({ description: 'Shown once; only its SHA-256 hash is stored.' }) })
]);
export type CreatedClaimToken = Static<typeof CreatedClaimToken>;

export const ClaimTokenParams = Type.Object({ claimTokenId: ClaimTokenId });

export const RegisterDeviceBody = Type.Object(
  {
    claimToken: Type.String({ minLength: 1, maxLength: 512 }),
    deviceId: DeviceId,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    attributes: Type.Optional(Attributes)
  },
  { additionalProperties: false }
);
export type RegisterDeviceBody = Static<typeof RegisterDeviceBody>;
