import type { Filter, UpdateFilter } from 'mongodb';
import type {
  CreateDeviceBody,
  CreatedDevice,
  Device,
  GroupQuery,
  PatchDeviceBody
} from '@plexus/contracts';
import { isDuplicateKeyError, type RegistryContext } from './context.ts';
import { newCredential } from './credentials.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { findDeviceType } from './device-types.ts';
import { localIdOf, tenantKey, tenantRange, type DeviceDocument } from './documents.ts';
import { RegistryErrors } from './errors.ts';
import { withQueryTimeLimit } from './query-time-limit.ts';

export function toDevice(doc: DeviceDocument): Device {
  const id = localIdOf(doc._id);
  return {
    id,
    name: doc.name ?? id,
    type: doc.type ?? null,
    tags: doc.tags ?? [],
    attributes: doc.attributes ?? {},
    status: doc.status,
    groups: doc.groups ?? [],
    createdAt: doc.createdAt.toISOString(),
    updatedAt: (doc.updatedAt ?? doc.createdAt).toISOString(),
    lastSeen: doc.lastSeen?.toISOString() ?? null
  };
}

export function newDeviceDocument(
  tenantId: string,
  fields: CreateDeviceBody,
  now: Date,
  credentials: DeviceDocument['credentials']
): DeviceDocument {
  const doc: DeviceDocument = { _id: tenantKey(tenantId, fields.id), status: fields.status ?? 'enabled', credentials, createdAt: now };
  if (fields.name !== undefined && fields.name !== fields.id) doc.name = fields.name;
  if (fields.type !== undefined) doc.type = fields.type;
  if (fields.tags?.length) doc.tags = fields.tags;
  if (fields.attributes && Object.keys(fields.attributes).length > 0) doc.attributes = fields.attributes;
  return doc;
}

async function assertTypeExists(ctx: RegistryContext, tenantId: string, type: string | null | undefined): Promise<void> {
  if (type && !(await findDeviceType(ctx, tenantId, type))) throw RegistryErrors.unknownDeviceType(type);
}

/** Creates a device with its first token: a device without a credential cannot connect. */
export async function createDevice(ctx: RegistryContext, tenantId: string, body: CreateDeviceBody): Promise<CreatedDevice> {
  await assertTypeExists(ctx, tenantId, body.type);
  const now = ctx.now();
  const { entry, issued } = newCredential(tenantId, now, null);
  const doc = newDeviceDocument(tenantId, body, now, [entry]);
  try {
    await ctx.collections.devices.insertOne(doc);
  } catch (error) {
    if (isDuplicateKeyError(error)) throw RegistryErrors.deviceExists(body.id);
    throw error;
  }
  return { device: toDevice(doc), credential: issued };
}

export async function getDeviceDocument(ctx: RegistryContext, tenantId: string, deviceId: string): Promise<DeviceDocument> {
  const doc = await ctx.collections.devices.findOne({ _id: tenantKey(tenantId, deviceId) });
  if (!doc) throw RegistryErrors.deviceNotFound(deviceId);
  return doc;
}

export async function getDevice(ctx: RegistryContext, tenantId: string, deviceId: string): Promise<Device> {
  return toDevice(await getDeviceDocument(ctx, tenantId, deviceId));
}

export async function patchDevice(ctx: RegistryContext, tenantId: string, deviceId: string, body: PatchDeviceBody): Promise<Device> {
  await assertTypeExists(ctx, tenantId, body.type);
  const { type, ...fields } = body;
  const update: UpdateFilter<DeviceDocument> = { $set: { ...fields, ...(type ? { type } : {}), updatedAt: ctx.now() } };
  if (type === null) update.$unset = { type: '' };
  const result = await ctx.collections.devices.findOneAndUpdate({ _id: tenantKey(tenantId, deviceId) }, update, { returnDocument: 'after' });
  if (!result) throw RegistryErrors.deviceNotFound(deviceId);
  if (body.status === 'disabled') {
    await ctx.revocations.publish({ kind: 'device', tenantId, deviceId, reason: 'device-disabled' });
  }
  return toDevice(result);
}

export async function deleteDevice(ctx: RegistryContext, tenantId: string, deviceId: string): Promise<void> {
  const result = await ctx.collections.devices.deleteOne({ _id: tenantKey(tenantId, deviceId) });
  if (result.deletedCount === 0) throw RegistryErrors.deviceNotFound(deviceId);
  await ctx.revocations.publish({ kind: 'device', tenantId, deviceId, reason: 'device-deleted' });
}

export interface DeviceSelector extends Partial<GroupQuery> {
  group?: string;
}

export interface DevicePage {
  items: Device[];
  nextCursor: string | null;
}

/**
 * Pages through a tenant's devices in id order. The cursor is a position in the tenant's
 * `_id` range, so a page costs the same at the millionth device as at the first.
 */
export async function listDevices(
  ctx: RegistryContext,
  tenantId: string,
  selector: DeviceSelector,
  page: { limit: number; cursor?: string | undefined }
): Promise<DevicePage> {
  const range = tenantRange(tenantId);
  const filter: Filter<DeviceDocument> = {
    _id: page.cursor ? { $gt: tenantKey(tenantId, decodeCursor(page.cursor)), $lt: range.$lt } : range
  };
  if (selector.type) filter.type = selector.type;
  if (selector.status) filter.status = selector.status;
  if (selector.tags?.length) filter.tags = { $all: selector.tags };
  if (selector.group) filter.groups = selector.group;
  const docs = await withQueryTimeLimit((maxTimeMS) =>
    ctx.collections.devices
      .find(filter, { projection: { credentials: 0 }, maxTimeMS })
      .sort({ _id: 1 })
      .limit(page.limit + 1)
      .toArray()
  );
  const hasMore = docs.length > page.limit;
  const items = (hasMore ? docs.slice(0, page.limit) : docs).map(toDevice);
  const last = items.at(-1);
  return { items, nextCursor: hasMore && last ? encodeCursor(last.id) : null };
}
