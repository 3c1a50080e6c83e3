import { Type, type Static } from 'typebox';
import { DeviceId, Slug, TenantId } from './common.ts';
import { CertificateFingerprint } from './credentials.ts';
import { Scope } from './scopes.ts';

/**
 * What an MQTT CONNECT presents: client id, optional username, password (token, JWT or API key),
 * and over TLS the fingerprint of a client certificate the gateway verified against its CA.
 */
export const AuthRequest = Type.Object(
  {
    clientId: Type.String({ maxLength: 256 }),
    username: Type.Optional(Type.String({ maxLength: 256 })),
    password: Type.String({ maxLength: 4096 }),
    certificateFingerprint: Type.Optional(CertificateFingerprint)
  },
  { additionalProperties: false }
);
export type AuthRequest = Static<typeof AuthRequest>;

export const DenyReason = Type.Union([
  Type.Literal('bad-credentials'),
  Type.Literal('device-disabled'),
  Type.Literal('tenant-suspended'),
  Type.Literal('not-authorized')
]);
export type DenyReason = Static<typeof DenyReason>;

export const DevicePrincipal = Type.Object({
  kind: Type.Literal('device'),
  tenantId: TenantId,
  deviceId: DeviceId,
  deviceType: Type.Union([Slug, Type.Null()]),
  expiresAt: Type.Union([Type.Integer({ description: 'Epoch ms after which the credential stops working.' }), Type.Null()])
});
export type DevicePrincipal = Static<typeof DevicePrincipal>;

export const AppPrincipal = Type.Object({
  kind: Type.Literal('app'),
  tenantId: TenantId,
  keyId: Type.String(),
  scopes: Type.Array(Scope)
});
export type AppPrincipal = Static<typeof AppPrincipal>;

export const AuthResult = Type.Union([
  Type.Object({ result: Type.Literal('allow'), principal: Type.Union([DevicePrincipal, AppPrincipal]) }),
  Type.Object({ result: Type.Literal('deny'), reason: DenyReason })
]);
export type AuthResult = Static<typeof AuthResult>;

export const AuthBatchBody = Type.Object(
  { requests: Type.Array(AuthRequest, { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false }
);
export type AuthBatchBody = Static<typeof AuthBatchBody>;

export const AuthBatchResponse = Type.Object({ results: Type.Array(AuthResult) });
export type AuthBatchResponse = Static<typeof AuthBatchResponse>;

/** A gateway's report of devices it has just seen (connected or heard from), for `lastSeen`. */
export const DeviceSighting = Type.Object(
  { tenantId: TenantId, deviceId: DeviceId, at: Type.Integer({ minimum: 0, description: 'Epoch ms.' }) },
  { additionalProperties: false }
);
export type DeviceSighting = Static<typeof DeviceSighting>;

export const DeviceSightingsBody = Type.Object(
  { sightings: Type.Array(DeviceSighting, { minItems: 1, maxItems: 5000 }) },
  { additionalProperties: false }
);
export type DeviceSightingsBody = Static<typeof DeviceSightingsBody>;

export const DeviceSightingsResponse = Type.Object({ recorded: Type.Integer({ description: 'Devices whose lastSeen moved forward.' }) });
