import type { CreateDeviceTypeBody, DeviceType, PatchDeviceTypeBody } from '@plexus/contracts';
import { isDuplicateKeyError, type RegistryContext } from './context.ts';
import { tenantKey, tenantRange, type DeviceTypeDocument } from './documents.ts';
import { RegistryErrors } from './errors.ts';
import { withQueryTimeLimit } from './query-time-limit.ts';
import { assertValidTelemetrySchema } from './telemetry-schema.ts';

export function toDeviceType(doc: DeviceTypeDocument): DeviceType {
  return {
    name: doc.name,
    description: doc.description,
    telemetrySchema: doc.telemetrySchema,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString()
  };
}

export async function createDeviceType(ctx: RegistryContext, tenantId: string, body: CreateDeviceTypeBody): Promise<DeviceType> {
  if (body.telemetrySchema) assertValidTelemetrySchema(body.telemetrySchema);
  const now = ctx.now();
  const doc: DeviceTypeDocument = {
    _id: tenantKey(tenantId, body.name),
    tenantId,
    name: body.name,
    description: body.description ?? '',
    telemetrySchema: body.telemetrySchema ?? null,
    createdAt: now,
    updatedAt: now
  };
  try {
    await ctx.collections.deviceTypes.insertOne(doc);
  } catch (error) {
    if (isDuplicateKeyError(error)) throw RegistryErrors.deviceTypeExists(body.name);
    throw error;
  }
  return toDeviceType(doc);
}

export async function listDeviceTypes(ctx: RegistryContext, tenantId: string): Promise<DeviceType[]> {
  const docs = await ctx.collections.deviceTypes.find({ _id: tenantRange(tenantId) }).sort({ _id: 1 }).toArray();
  return docs.map(toDeviceType);
}

export async function findDeviceType(ctx: RegistryContext, tenantId: string, name: string): Promise<DeviceTypeDocument | null> {
  return ctx.collections.deviceTypes.findOne({ _id: tenantKey(tenantId, name) });
}

export async function getDeviceType(ctx: RegistryContext, tenantId: string, name: string): Promise<DeviceType> {
  const doc = await findDeviceType(ctx, tenantId, name);
  if (!doc) throw RegistryErrors.deviceTypeNotFound(name);
  return toDeviceType(doc);
}

export async function patchDeviceType(
  ctx: RegistryContext,
  tenantId: string,
  name: string,
  body: PatchDeviceTypeBody
): Promise<DeviceType> {
  if (body.telemetrySchema) assertValidTelemetrySchema(body.telemetrySchema);
  const result = await ctx.collections.deviceTypes.updateOne(
    { _id: tenantKey(tenantId, name) },
    { $set: { ...body, updatedAt: ctx.now() } }
  );
  if (result.matchedCount === 0) throw RegistryErrors.deviceTypeNotFound(name);
  return getDeviceType(ctx, tenantId, name);
}

export async function deleteDeviceType(ctx: RegistryContext, tenantId: string, name: string): Promise<void> {
  const inUse = await withQueryTimeLimit((maxTimeMS) =>
    ctx.collections.devices.findOne({ _id: tenantRange(tenantId), type: name }, { projection: { _id: 1 }, maxTimeMS })
  );
  if (inUse) throw RegistryErrors.deviceTypeInUse(name);
  const result = await ctx.collections.deviceTypes.deleteOne({ _id: tenantKey(tenantId, name) });
  if (result.deletedCount === 0) throw RegistryErrors.deviceTypeNotFound(name);
}

/** Whether a device type exists, reading each name from the store once per `known` set. */
export async function deviceTypeExists(ctx: RegistryContext, tenantId: string, name: string, known: Set<string>): Promise<boolean> {
  if (known.has(name)) return true;
  if (!(await findDeviceType(ctx, tenantId, name))) return false;
  known.add(name);
  return true;
}
