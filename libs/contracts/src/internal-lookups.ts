import { Type, type Static } from 'typebox';
import { DeviceId, TenantId } from './common.ts';
import { DeviceStatus } from './devices.ts';
import { Scope } from './scopes.ts';

// What other planes ask the control plane over `/internal/v1` (service token, not API keys):
// who an API key is, and what the data plane must know about a device to store its telemetry.

export const ApiKeyPrincipalsBody = Type.Object(
  { keys: Type.Array(Type.String({ maxLength: 512 }), { minItems: 1, maxItems: 100 }) },
  { additionalProperties: false }
);
export type ApiKeyPrincipalsBody = Static<typeof ApiKeyPrincipalsBody>;

export const ApiKeyPrincipal = Type.Object({
  keyId: Type.String(),
  /** Null for platform keys. */
  tenantId: Type.Union([Type.String(), Type.Null()]),
  scopes: Type.Array(Scope),
  tenantSuspended: Type.Boolean()
});
export type ApiKeyPrincipal = Static<typeof ApiKeyPrincipal>;

export const ApiKeyPrincipalsResponse = Type.Object({
  /** In the order of the keys; null for a key that is unknown, revoked or malformed. */
  principals: Type.Array(Type.Union([ApiKeyPrincipal, Type.Null()]))
});
export type ApiKeyPrincipalsResponse = Static<typeof ApiKeyPrincipalsResponse>;

export const DeviceReference = Type.Object({ tenantId: TenantId, deviceId: DeviceId }, { additionalProperties: false });
export type DeviceReference = Static<typeof DeviceReference>;

export const DeviceProfilesBody = Type.Object({ devices: Type.Array(DeviceReference, { minItems: 1, maxItems: 1000 }) }, { additionalProperties: false });
export type DeviceProfilesBody = Static<typeof DeviceProfilesBody>;

export const DeviceProfile = Type.Object({
  tenantId: Type.String(),
  deviceId: Type.String(),
  exists: Type.Boolean(),
  status: Type.Union([DeviceStatus, Type.Null()]),
  deviceType: Type.Union([Type.String(), Type.Null()]),
  /** The tenant's telemetry retention, null for the data plane's default. */
  telemetryRetentionDays: Type.Union([Type.Integer(), Type.Null()]),
  /** The device type's telemetry JSON Schema, when it has one. */
  telemetrySchema: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])
});
export type DeviceProfile = Static<typeof DeviceProfile>;

export const DeviceProfilesResponse = Type.Object({ profiles: Type.Array(DeviceProfile) });
export type DeviceProfilesResponse = Static<typeof DeviceProfilesResponse>;
