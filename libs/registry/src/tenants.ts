import type { CreateTenantBody, PatchTenantBody, Tenant } from '@plexus/contracts';
import { isDuplicateKeyError, type RegistryContext } from './context.ts';
import type { TenantDocument } from './documents.ts';
import { RegistryErrors } from './errors.ts';

export function toTenant(doc: TenantDocument): Tenant {
  return {
    id: doc._id,
    name: doc.name,
    status: doc.status,
    createdAt: doc.createdAt.toISOString(),
    suspendedAt: doc.suspendedAt?.toISOString() ?? null,
    telemetryRetentionDays: doc.telemetryRetentionDays ?? null
  };
}

export async function createTenant(ctx: RegistryContext, body: CreateTenantBody): Promise<Tenant> {
  const doc: TenantDocument = { _id: body.id, name: body.name, status: 'active', createdAt: ctx.now(), suspendedAt: null };
  if (body.telemetryRetentionDays !== undefined) doc.telemetryRetentionDays = body.telemetryRetentionDays;
  try {
    await ctx.collections.tenants.insertOne(doc);
  } catch (error) {
    if (isDuplicateKeyError(error)) throw RegistryErrors.tenantExists(body.id);
    throw error;
  }
  return toTenant(doc);
}

export async function listTenants(ctx: RegistryContext): Promise<Tenant[]> {
  const docs = await ctx.collections.tenants.find({}).sort({ _id: 1 }).toArray();
  return docs.map(toTenant);
}

export async function getTenantDocument(ctx: RegistryContext, tenantId: string): Promise<TenantDocument> {
  const doc = await ctx.collections.tenants.findOne({ _id: tenantId });
  if (!doc) throw RegistryErrors.tenantNotFound(tenantId);
  return doc;
}

export async function getTenant(ctx: RegistryContext, tenantId: string): Promise<Tenant> {
  return toTenant(await getTenantDocument(ctx, tenantId));
}

export async function setTenantSuspended(ctx: RegistryContext, tenantId: string, suspended: boolean): Promise<Tenant> {
  const update = suspended
    ? { status: 'suspended' as const, suspendedAt: ctx.now() }
    : { status: 'active' as const, suspendedAt: null };
  const result = await ctx.collections.tenants.updateOne({ _id: tenantId }, { $set: update });
  if (result.matchedCount === 0) throw RegistryErrors.tenantNotFound(tenantId);
  if (suspended) await ctx.revocations.publish({ kind: 'tenant', tenantId, reason: 'tenant-suspended' });
  return getTenant(ctx, tenantId);
}

export async function patchTenant(ctx: RegistryContext, tenantId: string, body: PatchTenantBody): Promise<Tenant> {
  const update: Partial<TenantDocument> = {};
  if (body.name !== undefined) update.name = body.name;
  if (body.telemetryRetentionDays !== undefined) update.telemetryRetentionDays = body.telemetryRetentionDays;
  const result = await ctx.collections.tenants.updateOne({ _id: tenantId }, { $set: update });
  if (result.matchedCount === 0) throw RegistryErrors.tenantNotFound(tenantId);
  return getTenant(ctx, tenantId);
}
