import { Type, type Static } from 'typebox';
import { Timestamp } from './common.ts';

export const SigningKeyId = Type.String({ pattern: '^sk_[0-9a-f]{16}$' });

export const SigningKey = Type.Object({
  id: SigningKeyId,
  name: Type.String(),
  algorithm: Type.Literal('EdDSA'),
  publicKeyPem: Type.String(),
  createdAt: Timestamp,
  revokedAt: Type.Union([Timestamp, Type.Null()])
});
export type SigningKey = Static<typeof SigningKey>;

export const CreateSigningKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    publicKeyPem: Type.String({
      minLength: 1,
      maxLength: 4096,
      description: 'Ed25519 public key, SPKI PEM. Devices present JWTs (alg EdDSA, kid = key id, sub = device id, exp) signed with the private key.'
    })
  },
  { additionalProperties: false }
);
export type CreateSigningKeyBody = Static<typeof CreateSigningKeyBody>;

export const SigningKeyParams = Type.Object({ signingKeyId: SigningKeyId });
