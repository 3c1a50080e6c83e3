import type { Credential, IssuedCredential } from '@plexus/contracts';
import type { RegistryContext } from './context.ts';
import { tenantKey, type CredentialEntry } from './documents.ts';
import { RegistryErrors } from './errors.ts';
import { formatDeviceToken, randomHex, randomSecrets, sha256Hex } from './secrets.ts';

export const MAX_LIVE_CREDENTIALS = 10;

export function newCredentialFromSecret(
  tenantId: string,
  secret: string,
  now: Date,
  expiresAt: Date | null
): { entry: CredentialEntry; issued: IssuedCredential } {
  const token = formatDeviceToken(tenantId, secret);
  const id = `crd_${randomHex(8)}`;
  const entry: CredentialEntry = { id, hash: sha256Hex(token), createdAt: now };
  if (expiresAt) entry.expiresAt = expiresAt;
  return {
    entry,
    issued: { id, token, createdAt: now.toISOString(), expiresAt: expiresAt?.toISOString() ?? null }
  };
}

export function newCredential(tenantId: string, now: Date, expiresAt: Date | null) {
  return newCredentialFromSecret(tenantId, randomSecrets(1)[0] as string, now, expiresAt);
}

function toCredential(entry: CredentialEntry): Credential {
  return {
    id: entry.id,
    kind: 'token',
    createdAt: entry.createdAt.toISOString(),
    expiresAt: entry.expiresAt?.toISOString() ?? null
  };
}

function isLive(entry: CredentialEntry, now: Date): boolean {
  return entry.expiresAt === undefined || entry.expiresAt > now;
}

async function readCredentials(ctx: RegistryContext, tenantId: string, deviceId: string): Promise<CredentialEntry[]> {
  const doc = await ctx.collections.devices.findOne(
    { _id: tenantKey(tenantId, deviceId) },
    { projection: { credentials: 1 } }
  );
  if (!doc) throw RegistryErrors.deviceNotFound(deviceId);
  return doc.credentials;
}

export async function listCredentials(ctx: RegistryContext, tenantId: string, deviceId: string): Promise<Credential[]> {
  const now = ctx.now();
  return (await readCredentials(ctx, tenantId, deviceId)).filter((entry) => isLive(entry, now)).map(toCredential);
}

function expiry(now: Date, ttlSeconds: number | undefined): Date | null {
  return ttlSeconds === undefined ? null : new Date(now.getTime() + ttlSeconds * 1000);
}

/** Adds a token beside the existing ones (for example, one per firmware slot). */
export async function issueCredential(
  ctx: RegistryContext,
  tenantId: string,
  deviceId: string,
  ttlSeconds: number | undefined
): Promise<IssuedCredential> {
  const now = ctx.now();
  const live = (await readCredentials(ctx, tenantId, deviceId)).filter((entry) => isLive(entry, now));
  if (live.length >= MAX_LIVE_CREDENTIALS) throw RegistryErrors.tooManyCredentials(MAX_LIVE_CREDENTIALS);
  const { entry, issued } = newCredential(tenantId, now, expiry(now, ttlSeconds));
  await ctx.collections.devices.updateOne(
    { _id: tenantKey(tenantId, deviceId) },
    { $set: { credentials: [...live, entry], updatedAt: now } }
  );
  return issued;
}

/**
 * Issues a new token and retires the others: at once, or after `graceSeconds` so a fleet can
 * pick the new token up before the old one stops working.
 */
export async function rotateCredentials(
  ctx: RegistryContext,
  tenantId: string,
  deviceId: string,
  options: { graceSeconds?: number | undefined; ttlSeconds?: number | undefined }
): Promise<IssuedCredential> {
  const now = ctx.now();
  const grace = options.graceSeconds ?? 0;
  const { entry, issued } = newCredential(tenantId, now, expiry(now, options.ttlSeconds));
  let kept: CredentialEntry[] = [];
  if (grace > 0) {
    const graceEnd = new Date(now.getTime() + grace * 1000);
    kept = (await readCredentials(ctx, tenantId, deviceId))
      .filter((old) => isLive(old, now))
      .slice(-(MAX_LIVE_CREDENTIALS - 1))
      .map((old) => ({ ...old, expiresAt: old.expiresAt !== undefined && old.expiresAt < graceEnd ? old.expiresAt : graceEnd }));
  }
  const result = await ctx.collections.devices.updateOne(
    { _id: tenantKey(tenantId, deviceId) },
    { $set: { credentials: [...kept, entry], updatedAt: now } }
  );
  if (result.matchedCount === 0) throw RegistryErrors.deviceNotFound(deviceId);
  if (grace === 0) await ctx.revocations.publish({ kind: 'device', tenantId, deviceId, reason: 'credential-revoked' });
  return issued;
}

export async function revokeCredential(ctx: RegistryContext, tenantId: string, deviceId: string, credentialId: string): Promise<void> {
  const entry = (await readCredentials(ctx, tenantId, deviceId)).find((candidate) => candidate.id === credentialId);
  if (!entry) throw RegistryErrors.credentialNotFound(credentialId);
  // Pulls the exact entry read above: FerretDB v1 matches $pull conditions only by equality.
  await ctx.collections.devices.updateOne(
    { _id: tenantKey(tenantId, deviceId) },
    { $pull: { credentials: entry }, $set: { updatedAt: ctx.now() } }
  );
  await ctx.revocations.publish({ kind: 'device', tenantId, deviceId, reason: 'credential-revoked' });
}
