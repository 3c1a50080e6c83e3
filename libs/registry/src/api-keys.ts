import type { ApiKey, CreateApiKeyBody, CreatedApiKey } from '@plexus/contracts';
import type { RegistryContext } from './context.ts';
import type { ApiKeyDocument } from './documents.ts';
import { RegistryErrors } from './errors.ts';
import type { ApiPrincipal } from './principals.ts';
import { formatApiKey, hashesEqual, parseApiKey, randomHex, randomSecrets, sha256Hex } from './secrets.ts';
import { getTenantDocument } from './tenants.ts';

export function toApiKey(doc: ApiKeyDocument): ApiKey {
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    name: doc.name,
    scopes: doc.scopes,
    createdAt: doc.createdAt.toISOString(),
    revokedAt: doc.revokedAt?.toISOString() ?? null
  };
}

export async function createApiKey(ctx: RegistryContext, tenantId: string, body: CreateApiKeyBody): Promise<CreatedApiKey> {
  await getTenantDocument(ctx, tenantId);
  const keyId = randomHex(8);
  const key = formatApiKey(keyId, randomSecrets(1)[0] as string);
  const doc: ApiKeyDocument = {
    _id: keyId,
    tenantId,
    name: body.name,
    scopes: body.scopes,
    hash: sha256Hex(key),
    createdAt: ctx.now(),
    revokedAt: null
  };
  await ctx.collections.apiKeys.insertOne(doc);
  return { ...toApiKey(doc), key };
}

export async function listApiKeys(ctx: RegistryContext, tenantId: string): Promise<ApiKey[]> {
  await getTenantDocument(ctx, tenantId);
  const docs = await ctx.collections.apiKeys.find({ tenantId }).sort({ createdAt: 1 }).toArray();
  return docs.map(toApiKey);
}

export async function revokeApiKey(ctx: RegistryContext, tenantId: string, keyId: string): Promise<void> {
  const doc = await ctx.collections.apiKeys.findOne({ _id: keyId });
  if (!doc || doc.tenantId !== tenantId) throw RegistryErrors.apiKeyNotFound(keyId);
  if (doc.revokedAt === null) {
    await ctx.collections.apiKeys.updateOne({ _id: keyId }, { $set: { revokedAt: ctx.now() } });
  }
  await ctx.revocations.publish({ kind: 'api-key', tenantId, keyId, reason: 'api-key-revoked' });
}

/**
 * Resolves a presented key to its principal, or null when it is unknown, revoked or malformed.
 * A key of a suspended tenant resolves, so callers can answer "suspended" rather than "unknown".
 */
export async function findApiKeyPrincipal(
  ctx: RegistryContext,
  presented: string
): Promise<(ApiPrincipal & { tenantSuspended: boolean }) | null> {
  const parsed = parseApiKey(presented);
  if (!parsed) return null;
  const doc = await ctx.collections.apiKeys.findOne({ _id: parsed.keyId });
  if (!doc || doc.revokedAt !== null || !hashesEqual(doc.hash, sha256Hex(presented))) return null;
  let tenantSuspended = false;
  if (doc.tenantId !== null) {
    const tenant = await ctx.collections.tenants.findOne({ _id: doc.tenantId });
    if (!tenant) return null;
    tenantSuspended = tenant.status === 'suspended';
  }
  return { keyId: doc._id, tenantId: doc.tenantId, scopes: doc.scopes, tenantSuspended };
}

/** REST authentication: 401 for anything but a live key, 403 when its tenant is suspended. */
export async function authenticateApiKey(ctx: RegistryContext, presented: string | undefined): Promise<ApiPrincipal> {
  if (!presented) throw RegistryErrors.unauthorized();
  const principal = await findApiKeyPrincipal(ctx, presented);
  if (!principal) throw RegistryErrors.unauthorized();
  if (principal.tenantSuspended) throw RegistryErrors.tenantSuspended(principal.tenantId ?? '');
  return { keyId: principal.keyId, tenantId: principal.tenantId, scopes: principal.scopes };
}

/**
 * Makes the operator's bootstrap key a live platform admin key. Idempotent: the key id and
 * hash come from the key itself, so restarts with the same key change nothing.
 */
export async function ensureBootstrapAdminKey(ctx: RegistryContext, key: string): Promise<string> {
  const parsed = parseApiKey(key);
  if (!parsed) throw new Error('PLEXUS_BOOTSTRAP_ADMIN_KEY must look like plx_<8-32 hex>_<43 base64url chars>');
  await ctx.collections.apiKeys.updateOne(
    { _id: parsed.keyId },
    {
      $set: { tenantId: null, name: 'bootstrap-admin', scopes: ['admin'], hash: sha256Hex(key), revokedAt: null },
      $setOnInsert: { createdAt: ctx.now() }
    },
    { upsert: true }
  );
  return parsed.keyId;
}
