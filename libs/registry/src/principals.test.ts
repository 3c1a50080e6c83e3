import { describe, expect, it } from 'vitest';
import { hasScope, requireAdminOf, requirePlatformAdmin, tenantFor, type ApiPrincipal } from './principals.ts';

const platform: ApiPrincipal = { keyId: 'p', tenantId: null, scopes: ['admin'] };
const reader: ApiPrincipal = { keyId: 'r', tenantId: 'acme', scopes: ['registry:read'] };
const tenantAdmin: ApiPrincipal = { keyId: 'a', tenantId: 'acme', scopes: ['admin'] };

describe('principals', () => {
  it('lets admin imply every scope', () => {
    expect(hasScope(tenantAdmin, 'billing:read')).toBe(true);
    expect(hasScope(reader, 'registry:write')).toBe(false);
  });

  it('resolves the tenant of a tenant key that holds the scope', () => {
    expect(tenantFor(reader, 'registry:read')).toBe('acme');
    expect(() => tenantFor(reader, 'registry:write')).toThrow(expect.objectContaining({ code: 'PLX_REGISTRY_FORBIDDEN_SCOPE' }));
    expect(() => tenantFor(platform, 'registry:read')).toThrow(expect.objectContaining({ code: 'PLX_REGISTRY_TENANT_KEY_REQUIRED' }));
  });

  it('keeps tenant admins inside their tenant', () => {
    expect(() => requireAdminOf(tenantAdmin, 'acme')).not.toThrow();
    expect(() => requireAdminOf(tenantAdmin, 'other')).toThrow(expect.objectContaining({ code: 'PLX_REGISTRY_TENANT_NOT_FOUND' }));
    expect(() => requireAdminOf(reader, 'acme')).toThrow(expect.objectContaining({ code: 'PLX_REGISTRY_FORBIDDEN_SCOPE' }));
    expect(() => requireAdminOf(platform, 'anything')).not.toThrow();
    expect(() => requirePlatformAdmin(tenantAdmin)).toThrow(expect.objectContaining({ code: 'PLX_REGISTRY_PLATFORM_KEY_REQUIRED' }));
  });
});
