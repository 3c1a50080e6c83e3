import { Type, type Static } from 'typebox';
import { TenantId, Timestamp } from './common.ts';

export const TenantStatus = Type.Union([Type.Literal('active'), Type.Literal('suspended')]);
export type TenantStatus = Static<typeof TenantStatus>;

export const Tenant = Type.Object({
  id: TenantId,
  name: Type.String(),
  status: TenantStatus,
  createdAt: Timestamp,
  suspendedAt: Type.Union([Timestamp, Type.Null()])
});
export type Tenant = Static<typeof Tenant>;

export const CreateTenantBody = Type.Object(
  { id: TenantId, name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false }
);
export type CreateTenantBody = Static<typeof CreateTenantBody>;

export const TenantParams = Type.Object({ tenantId: TenantId });
