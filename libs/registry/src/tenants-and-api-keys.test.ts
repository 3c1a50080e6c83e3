import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateApiKey, createApiKey, ensureBootstrapAdminKey, listApiKeys, revokeApiKey } from './api-keys.ts';
import { openRegistryTestContext, type RegistryTestContext } from './registry-test-context.ts';
import { formatApiKey, randomSecrets } from './secrets.ts';
import { createTenant, getTenant, listTenants, setTenantSuspended } from './tenants.ts';

let t: RegistryTestContext;
beforeAll(async () => {
  t = await openRegistryTestContext('tenants');
});
afterAll(() => t.close());

describe('tenants', () => {
  it('creates, lists, suspends and resumes', async () => {
    const created = await createTenant(t.ctx, { id: 'acme', name: 'Acme' });
    expect(created).toMatchObject({ id: 'acme', status: 'active', suspendedAt: null });
    await expect(createTenant(t.ctx, { id: 'acme', name: 'Again' })).rejects.toMatchObject({ code: 'PLX_REGISTRY_TENANT_EXISTS' });
    expect((await listTenants(t.ctx)).map((tenant) => tenant.id)).toContain('acme');

    const suspended = await setTenantSuspended(t.ctx, 'acme', true);
    expect(suspended.status).toBe('suspended');
    await t.waitForRevocation((event) => event.kind === 'tenant' && event.tenantId === 'acme');
    expect((await setTenantSuspended(t.ctx, 'acme', false)).status).toBe('active');
    await expect(getTenant(t.ctx, 'nope')).rejects.toMatchObject({ code: 'PLX_REGISTRY_TENANT_NOT_FOUND' });
  });
});

describe('API keys', () => {
  it('shows the key once, stores only its hash, authenticates and revokes', async () => {
    await createTenant(t.ctx, { id: 'keys', name: 'Keys' });
    const created = await createApiKey(t.ctx, 'keys', { name: 'ci', scopes: ['registry:read'] });
    expect(created.key).toMatch(/^plx_[0-9a-f]{16}_/);
    const stored = await t.ctx.collections.apiKeys.findOne({ _id: created.id });
    expect(JSON.stringify(stored)).not.toContain(created.key);

    expect(await authenticateApiKey(t.ctx, created.key)).toMatchObject({ tenantId: 'keys', scopes: ['registry:read'] });
    expect((await listApiKeys(t.ctx, 'keys')).map((key) => key.id)).toEqual([created.id]);

    await revokeApiKey(t.ctx, 'keys', created.id);
    await expect(authenticateApiKey(t.ctx, created.key)).rejects.toMatchObject({ code: 'PLX_REGISTRY_UNAUTHORIZED' });
    await t.waitForRevocation((event) => event.kind === 'api-key' && event.keyId === created.id);
  });

  it('rejects missing, malformed and forged keys, and keys of suspended tenants', async () => {
    await expect(authenticateApiKey(t.ctx, undefined)).rejects.toMatchObject({ code: 'PLX_REGISTRY_UNAUTHORIZED' });
    await expect(authenticateApiKey(t.ctx, 'Bearer nonsense')).rejects.toMatchObject({ code: 'PLX_REGISTRY_UNAUTHORIZED' });
    await createTenant(t.ctx, { id: 'forge', name: 'Forge' });
    const real = await createApiKey(t.ctx, 'forge', { name: 'x', scopes: ['admin'] });
    const forged = formatApiKey(real.id, randomSecrets(1)[0] as string);
    await expect(authenticateApiKey(t.ctx, forged)).rejects.toMatchObject({ code: 'PLX_REGISTRY_UNAUTHORIZED' });
    await setTenantSuspended(t.ctx, 'forge', true);
    await expect(authenticateApiKey(t.ctx, real.key)).rejects.toMatchObject({ code: 'PLX_REGISTRY_TENANT_SUSPENDED' });
  });

  it('makes the bootstrap key a platform admin, idempotently', async () => {
    const key = formatApiKey('b00757a9', randomSecrets(1)[0] as string);
    await ensureBootstrapAdminKey(t.ctx, key);
    await ensureBootstrapAdminKey(t.ctx, key);
    expect(await authenticateApiKey(t.ctx, key)).toEqual({ keyId: 'b00757a9', tenantId: null, scopes: ['admin'] });
    await expect(ensureBootstrapAdminKey(t.ctx, 'short')).rejects.toThrow(/PLEXUS_BOOTSTRAP_ADMIN_KEY/);
  });
});
