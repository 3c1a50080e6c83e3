import { Type, type Static } from 'typebox';
import { DeviceId, Timestamp } from './common.ts';

export const CredentialId = Type.String({ pattern: '^crd_[0-9a-f]{16}$' });

/**
 * SHA-256 of a certificate's DER bytes in the one form Plexus stores and compares: upper-case hex
 * pairs joined by colons, as Node's `fingerprint256` and `openssl x509 -fingerprint -sha256` print it.
 */
export const CertificateFingerprint = Type.String({
  pattern: '^[0-9A-F]{2}(:[0-9A-F]{2}){31}$',
  description: 'SHA-256 of the certificate (DER), upper-case hex pairs joined by colons.'
});

/** What a client may send as a fingerprint: any case, with or without colons; stored as `CertificateFingerprint`. */
export const CertificateFingerprintInput = Type.String({
  pattern: '^[0-9A-Fa-f]{2}(:?[0-9A-Fa-f]{2}){31}$',
  description: 'SHA-256 of the certificate (DER) in hex, any case, colons optional.'
});

export const CredentialKind = Type.Union([Type.Literal('token'), Type.Literal('x509')]);
export type CredentialKind = Static<typeof CredentialKind>;

export const Credential = Type.Object({
  id: CredentialId,
  kind: CredentialKind,
  createdAt: Timestamp,
  expiresAt: Type.Union([Timestamp, Type.Null()]),
  fingerprint: Type.Optional(CertificateFingerprint)
});
export type Credential = Static<typeof Credential>;

export const CredentialParams = Type.Object({ deviceId: DeviceId, credentialId: CredentialId });

/** The largest certificate PEM accepted: a leaf certificate with long extensions is a few KiB. */
export const MAX_CERTIFICATE_PEM_LENGTH = 16 * 1024;

/**
 * `kind: 'token'` (the default) issues a token; `kind: 'x509'` registers a client certificate,
 * given as PEM (its validity end becomes the credential's expiry) or as its SHA-256 fingerprint.
 */
export const IssueCredentialBody = Type.Object(
  {
    kind: Type.Optional(CredentialKind),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 10 * 365 * 24 * 3600, description: 'Tokens only.' })),
    certificatePem: Type.Optional(
      Type.String({ minLength: 1, maxLength: MAX_CERTIFICATE_PEM_LENGTH, description: 'x509 only: the device certificate, PEM.' })
    ),
    fingerprint: Type.Optional(CertificateFingerprintInput)
  },
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
