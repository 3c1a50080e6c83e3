import { Type, type Static } from 'typebox';
import { TenantId, Timestamp } from './common.ts';

export const TenantStatus = Type.Union([Type.Literal('active'), Type.Literal('suspended')]);
export type TenantStatus = Static<typeof TenantStatus>;

export const TelemetryRetentionDays = Type.Integer({ minimum: 1, maximum: 3650, description: 'Days telemetry is kept; null: the data plane default (TELEMETRY_RETENTION_DAYS).' });

export const Tenant = Type.Object({
  id: TenantId,
  name: Type.String(),
  status: TenantStatus,
  createdAt: Timestamp,
  suspendedAt: Type.Union([Timestamp, Type.Null()]),
  telemetryRetentionDays: Type.Union([TelemetryRetentionDays, Type.Null()])
});
export type Tenant = Static<typeof Tenant>;

export const CreateTenantBody = Type.Object(
  { id: TenantId, name: Type.String({ minLength: 1, maxLength: 200 }), telemetryRetentionDays: Type.Optional(TelemetryRetentionDays) },
  { additionalProperties: false }
);
export type CreateTenantBody = Static<typeof CreateTenantBody>;

export const PatchTenantBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), telemetryRetentionDays: Type.Optional(Type.Union([TelemetryRetentionDays, Type.Null()])) },
  { additionalProperties: false, minProperties: 1 }
);
export type PatchTenantBody = Static<typeof PatchTenantBody>;

export const TenantParams = Type.Object({ tenantId: TenantId });
