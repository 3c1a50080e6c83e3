import { Type, type Static } from 'typebox';
import { DeviceId, Timestamp } from './common.ts';

export const CredentialId = Type.String({ pattern: '^crd_[0-9a-f]{16}$' });

export const Credential = Type.Object({
  id: CredentialId,
  kind: Type.Literal('token'),
  createdAt: Timestamp,
  expiresAt: Type.Union([Timestamp, Type.Null()])
});
export type Credential = Static<typeof Credential>;

export const CredentialParams = Type.Object({ deviceId: DeviceId, credentialId: CredentialId });

export const IssueCredentialBody = Type.Object(
  { ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 10 * 365 * 24 * 3600 })) },
  { additionalProperties: false }
);
export type IssueCredentialBody = Static<typeof IssueCredentialBody>;

export const RotateCredentialBody = Type.Object(
  {
    graceSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 7 * 24 * 3600,
        default: 0,
        description: 'How long the previous tokens keep working, so devices can pick up the new one.'
      })
    ),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 10 * 365 * 24 * 3600 }))
  },
  { additionalProperties: false }
);
export type RotateCredentialBody = Static<typeof RotateCredentialBody>;
