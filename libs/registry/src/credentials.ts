import type { Credential, IssueCredentialBody, IssuedCredential } from '@plexus/contracts';
import type { RegistryContext } from './context.ts';
import { canonicalFingerprint, claimCertificate, parseCertificatePem, releaseCertificate } from './device-certificates.ts';
import { tenantKey, type CertificateCredentialEntry, type CredentialEntry, type TokenCredentialEntry } from './documents.ts';
import { RegistryErrors } from './errors.ts';
import { formatDeviceToken, randomHex, randomSecrets, sha256Hex } from './secrets.ts';

export const MAX_LIVE_CREDENTIALS = 10;

export function newCredentialFromSecret(
  tenantId: string,
  secret: string,
  now: Date,
  expiresAt: Date | null
): { entry: TokenCredentialEntry; issued: IssuedCredential } {
  const token = formatDeviceToken(tenantId, secret);
  const id = newCredentialId();
  const entry: TokenCredentialEntry = { id, hash: sha256Hex(token), createdAt: now };
  if (expiresAt) entry.expiresAt = expiresAt;
  return {
    entry,
    issued: { id, token, createdAt: now.toISOString(), expiresAt: expiresAt?.toISOString() ?? null }
  };
}

function newCredentialId(): string {
  return `crd_${randomHex(8)}`;
}

export function newCredential(tenantId: string, now: Date, expiresAt: Date | null) {
  return newCredentialFromSecret(tenantId, randomSecrets(1)[0] as string, now, expiresAt);
}

function toCredential(entry: CredentialEntry): Credential {
  const common = { id: entry.id, createdAt: entry.createdAt.toISOString(), expiresAt: entry.expiresAt?.toISOString() ?? null };
  return entry.kind === 'x509' ? { ...common, kind: 'x509', fingerprint: entry.fingerprint } : { ...common, kind: 'token' };
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

/**
 * `POST /devices/:id/credentials`: a token by default, or with `kind: 'x509'` the device's client
 * certificate (PEM or fingerprint). A token is in the answer once; a certificate is public.
 */
export async function addCredential(
  ctx: RegistryContext,
  tenantId: string,
  deviceId: string,
  body: IssueCredentialBody
): Promise<IssuedCredential | Credential> {
  if (body.kind !== 'x509') {
    for (const field of ['certificatePem', 'fingerprint'] as const) {
      if (body[field] !== undefined) throw RegistryErrors.credentialKindMismatch(field, 'token', { field: `body/${field}` });
    }
    return issueCredential(ctx, tenantId, deviceId, body.ttlSeconds);
  }
  if (body.ttlSeconds !== undefined) throw RegistryErrors.credentialKindMismatch('ttlSeconds', 'x509', { field: 'body/ttlSeconds' });
  if ((body.certificatePem === undefined) === (body.fingerprint === undefined)) throw RegistryErrors.certificateRequired({ field: 'body' });
  const now = ctx.now();
  const certificate =
    body.certificatePem === undefined
      ? { fingerprint: canonicalFingerprint(body.fingerprint as string), validTo: null }
      : parseCertificatePem(body.certificatePem, now);
  return registerCertificate(ctx, tenantId, deviceId, certificate.fingerprint, certificate.validTo);
}

/**
 * Records the certificate on the device and maps its fingerprint to the device, in that order of
 * truth: the mapping is written first, so a failure between the two leaves a mapping without a
 * credential, which authenticates nothing and is taken over by the next registration.
 */
async function registerCertificate(
  ctx: RegistryContext,
  tenantId: string,
  deviceId: string,
  fingerprint: string,
  validTo: Date | null
): Promise<Credential> {
  const now = ctx.now();
  const live = (await readCredentials(ctx, tenantId, deviceId)).filter((entry) => isLive(entry, now));
  if (live.length >= MAX_LIVE_CREDENTIALS) throw RegistryErrors.tooManyCredentials(MAX_LIVE_CREDENTIALS);
  if (live.some((entry) => entry.kind === 'x509' && entry.fingerprint === fingerprint)) throw RegistryErrors.certificateInUse(fingerprint);
  const entry: CertificateCredentialEntry = { id: newCredentialId(), kind: 'x509', fingerprint, createdAt: now };
  if (validTo) entry.expiresAt = validTo;
  await claimCertificate(ctx, { _id: fingerprint, tenantId, deviceId, credentialId: entry.id, createdAt: now }, async (existing) => {
    const holder = await ctx.collections.devices.findOne({ _id: tenantKey(existing.tenantId, existing.deviceId) }, { projection: { credentials: 1 } });
    return holder?.credentials.some((held) => held.id === existing.credentialId && isLive(held, now)) ?? false;
  });
  const updated = await ctx.collections.devices.updateOne(
    { _id: tenantKey(tenantId, deviceId) },
    { $set: { credentials: [...live, entry], updatedAt: now } }
  );
  if (updated.matchedCount === 0) {
    await releaseCertificate(ctx, fingerprint, entry.id);
    throw RegistryErrors.deviceNotFound(deviceId);
  }
  return toCredential(entry);
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
  // Rotation concerns tokens: certificates stay until revoked, since a device cannot mint its own.
  const live = (await readCredentials(ctx, tenantId, deviceId)).filter((old) => isLive(old, now));
  const certificates = live.filter((old) => old.kind === 'x509');
  let kept: CredentialEntry[] = certificates;
  if (grace > 0) {
    const graceEnd = new Date(now.getTime() + grace * 1000);
    const tokens = live.filter((old) => old.kind === undefined);
    const room = Math.max(0, MAX_LIVE_CREDENTIALS - 1 - certificates.length);
    const graced = tokens
      .slice(tokens.length - Math.min(room, tokens.length))
      .map((old) => ({ ...old, expiresAt: old.expiresAt !== undefined && old.expiresAt < graceEnd ? old.expiresAt : graceEnd }));
    kept = [...certificates, ...graced];
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
  if (entry.kind === 'x509') await releaseCertificate(ctx, entry.fingerprint, entry.id);
  await ctx.revocations.publish({ kind: 'device', tenantId, deviceId, reason: 'credential-revoked' });
}
