import type { ClaimToken, CreateClaimTokenBody, CreatedClaimToken, CreatedDevice, RegisterDeviceBody } from '@plexus/contracts';
import { isDuplicateKeyError, type RegistryContext } from './context.ts';
import { createDevice } from './devices.ts';
import { findDeviceType } from './device-types.ts';
import type { ClaimTokenDocument } from './documents.ts';
import { RegistryErrors } from './errors.ts';
import { formatClaimToken, hashesEqual, parseClaimToken, randomHex, randomSecrets, sha256Hex } from './secrets.ts';
import { getTenantDocument } from './tenants.ts';

// Fleet self-provisioning: a manufacturer flashes one claim token into a production batch;
// each device trades it, once, for credentials of its own.
//
// Each use takes a numbered slot document (`${claimTokenId}#${slot}`). Primary-key uniqueness
// is the one atomic guarantee every MongoDB-wire engine gives (FerretDB v1 runs $inc as an
// unlocked read-modify-write), so concurrent devices can never exceed `maxUses`, and the slots
// record which device used the token.

function useRange(claimTokenId: string): { $gt: string; $lt: string } {
  return { $gt: `${claimTokenId}#`, $lt: `${claimTokenId}$` };
}

async function countUses(ctx: RegistryContext, claimTokenId: string): Promise<number> {
  return ctx.collections.claimTokenUses.countDocuments({ _id: useRange(claimTokenId) });
}

export function toClaimToken(doc: ClaimTokenDocument, uses: number): ClaimToken {
  return {
    id: doc._id,
    deviceType: doc.deviceType,
    tags: doc.tags,
    maxUses: doc.maxUses,
    uses,
    expiresAt: doc.expiresAt.toISOString(),
    createdAt: doc.createdAt.toISOString(),
    revokedAt: doc.revokedAt?.toISOString() ?? null
  };
}

export async function createClaimToken(ctx: RegistryContext, tenantId: string, body: CreateClaimTokenBody): Promise<CreatedClaimToken> {
  if (!(await findDeviceType(ctx, tenantId, body.deviceType))) throw RegistryErrors.unknownDeviceType(body.deviceType);
  const id = randomHex(8);
  const token = formatClaimToken(id, randomSecrets(1)[0] as string);
  const now = ctx.now();
  const doc: ClaimTokenDocument = {
    _id: id,
    tenantId,
    hash: sha256Hex(token),
    deviceType: body.deviceType,
    tags: body.tags ?? [],
    maxUses: body.maxUses,
    nextSlot: 0,
    expiresAt: new Date(now.getTime() + body.ttlSeconds * 1000),
    createdAt: now,
    revokedAt: null
  };
  await ctx.collections.claimTokens.insertOne(doc);
  return { ...toClaimToken(doc, 0), token };
}

export async function listClaimTokens(ctx: RegistryContext, tenantId: string): Promise<ClaimToken[]> {
  const docs = await ctx.collections.claimTokens.find({ tenantId }).sort({ createdAt: 1 }).toArray();
  return Promise.all(docs.map(async (doc) => toClaimToken(doc, await countUses(ctx, doc._id))));
}

export async function revokeClaimToken(ctx: RegistryContext, tenantId: string, claimTokenId: string): Promise<void> {
  const doc = await ctx.collections.claimTokens.findOne({ _id: claimTokenId });
  if (!doc || doc.tenantId !== tenantId) throw RegistryErrors.claimTokenNotFound(claimTokenId);
  await ctx.collections.claimTokens.updateOne({ _id: claimTokenId }, { $set: { revokedAt: ctx.now() } });
}

/** Takes the lowest free slot at or above the hint, or returns null when all are taken. */
async function takeUseSlot(ctx: RegistryContext, claim: ClaimTokenDocument, deviceId: string): Promise<string | null> {
  for (let slot = Math.min(claim.nextSlot, claim.maxUses); slot < claim.maxUses; slot++) {
    const id = `${claim._id}#${slot}`;
    try {
      await ctx.collections.claimTokenUses.insertOne({ _id: id, claimTokenId: claim._id, tenantId: claim.tenantId, deviceId, usedAt: ctx.now() });
      return id;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  return null;
}

/** Exchanges a claim token and a device id for that device's credentials. */
export async function registerWithClaimToken(ctx: RegistryContext, body: RegisterDeviceBody): Promise<CreatedDevice> {
  const parsed = parseClaimToken(body.claimToken);
  if (!parsed) throw RegistryErrors.claimTokenInvalid();
  const claim = await ctx.collections.claimTokens.findOne({ _id: parsed.claimTokenId });
  const usable = claim && hashesEqual(claim.hash, sha256Hex(body.claimToken)) && claim.revokedAt === null && claim.expiresAt > ctx.now();
  if (!claim || !usable) throw RegistryErrors.claimTokenInvalid();
  const tenant = await getTenantDocument(ctx, claim.tenantId);
  if (tenant.status === 'suspended') throw RegistryErrors.tenantSuspended(tenant._id);

  const slot = await takeUseSlot(ctx, claim, body.deviceId);
  if (!slot) throw RegistryErrors.claimTokenInvalid();
  try {
    const created = await createDevice(ctx, claim.tenantId, {
      id: body.deviceId,
      type: claim.deviceType,
      tags: claim.tags,
      ...(body.name === undefined ? {} : { name: body.name }),
      ...(body.attributes === undefined ? {} : { attributes: body.attributes })
    });
    // A hint for the next slot search only; a lost update here costs a few extra probes.
    await ctx.collections.claimTokens.updateOne({ _id: claim._id }, { $max: { nextSlot: Number(slot.split('#')[1]) + 1 } });
    return created;
  } catch (error) {
    await ctx.collections.claimTokenUses.deleteOne({ _id: slot });
    throw error;
  }
}
