import type { CreateGroupBody, Group, GroupMembersResult, PatchGroupBody } from '@plexus/contracts';
import { mapConcurrently } from './concurrency.ts';
import { isDuplicateKeyError, type RegistryContext } from './context.ts';
import { listDevices, type DevicePage } from './devices.ts';
import { tenantKey, tenantRange, type GroupDocument } from './documents.ts';
import { RegistryErrors } from './errors.ts';

// Static membership lives on the device (`groups` array, indexed with the tenant on MongoDB), so
// resolving a group is one indexed, cursor-paged query whether it has ten members or a million,
// and deleting a device needs no clean-up elsewhere. Dynamic groups store only their query.

const MEMBER_WRITE_CONCURRENCY = 32;

export function toGroup(doc: GroupDocument): Group {
  return {
    id: doc.groupId,
    name: doc.name,
    kind: doc.kind,
    query: doc.query,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString()
  };
}

export async function createGroup(ctx: RegistryContext, tenantId: string, body: CreateGroupBody): Promise<Group> {
  const now = ctx.now();
  const doc: GroupDocument = {
    _id: tenantKey(tenantId, body.id),
    tenantId,
    groupId: body.id,
    name: body.name ?? body.id,
    kind: body.kind,
    query: body.kind === 'dynamic' ? body.query : null,
    createdAt: now,
    updatedAt: now
  };
  try {
    await ctx.collections.groups.insertOne(doc);
  } catch (error) {
    if (isDuplicateKeyError(error)) throw RegistryErrors.groupExists(body.id);
    throw error;
  }
  return toGroup(doc);
}

export async function listGroups(ctx: RegistryContext, tenantId: string): Promise<Group[]> {
  const docs = await ctx.collections.groups.find({ _id: tenantRange(tenantId) }).sort({ _id: 1 }).toArray();
  return docs.map(toGroup);
}

async function getGroupDocument(ctx: RegistryContext, tenantId: string, groupId: string): Promise<GroupDocument> {
  const doc = await ctx.collections.groups.findOne({ _id: tenantKey(tenantId, groupId) });
  if (!doc) throw RegistryErrors.groupNotFound(groupId);
  return doc;
}

export async function getGroup(ctx: RegistryContext, tenantId: string, groupId: string): Promise<Group> {
  return toGroup(await getGroupDocument(ctx, tenantId, groupId));
}

export async function patchGroup(ctx: RegistryContext, tenantId: string, groupId: string, body: PatchGroupBody): Promise<Group> {
  const doc = await getGroupDocument(ctx, tenantId, groupId);
  if (body.query && doc.kind !== 'dynamic') throw RegistryErrors.groupNotDynamic(groupId);
  await ctx.collections.groups.updateOne({ _id: doc._id }, { $set: { ...body, updatedAt: ctx.now() } });
  return getGroup(ctx, tenantId, groupId);
}

export async function deleteGroup(ctx: RegistryContext, tenantId: string, groupId: string): Promise<void> {
  const doc = await getGroupDocument(ctx, tenantId, groupId);
  if (doc.kind === 'static') {
    await ctx.collections.devices.updateMany({ _id: tenantRange(tenantId), groups: groupId }, { $pull: { groups: groupId } });
  }
  await ctx.collections.groups.deleteOne({ _id: doc._id });
}

/** Adds or removes static members; each device is one primary-key update. */
export async function changeGroupMembers(
  ctx: RegistryContext,
  tenantId: string,
  groupId: string,
  deviceIds: readonly string[],
  change: 'add' | 'remove'
): Promise<GroupMembersResult> {
  const group = await getGroupDocument(ctx, tenantId, groupId);
  if (group.kind !== 'static') throw RegistryErrors.groupNotStatic(groupId);
  const update = change === 'add' ? { $addToSet: { groups: groupId } } : { $pull: { groups: groupId } };
  const outcomes = await mapConcurrently(deviceIds, MEMBER_WRITE_CONCURRENCY, async (deviceId) => {
    const result = await ctx.collections.devices.updateOne({ _id: tenantKey(tenantId, deviceId) }, update);
    if (result.matchedCount === 0) return 'notFound' as const;
    return result.modifiedCount > 0 ? ('changed' as const) : ('unchanged' as const);
  });
  return {
    changed: outcomes.filter((outcome) => outcome === 'changed').length,
    unchanged: outcomes.filter((outcome) => outcome === 'unchanged').length,
    notFound: deviceIds.filter((_, index) => outcomes[index] === 'notFound')
  };
}

export async function listGroupDevices(
  ctx: RegistryContext,
  tenantId: string,
  groupId: string,
  page: { limit: number; cursor?: string | undefined }
): Promise<DevicePage> {
  const group = await getGroupDocument(ctx, tenantId, groupId);
  const selector = group.kind === 'static' ? { group: groupId } : (group.query ?? {});
  return listDevices(ctx, tenantId, selector, page);
}
