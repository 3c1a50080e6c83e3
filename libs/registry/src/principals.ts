import type { Scope } from '@plexus/contracts';
import { RegistryErrors } from './errors.ts';

/** Who is calling the REST API: the API key's identity. `tenantId` is null for platform keys. */
export interface ApiPrincipal {
  readonly keyId: string;
  readonly tenantId: string | null;
  readonly scopes: readonly Scope[];
}

export function hasScope(principal: Pick<ApiPrincipal, 'scopes'>, scope: Scope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

/** The tenant a tenant-scoped call acts on, once the key proves it holds `scope` there. */
export function tenantFor(principal: ApiPrincipal, scope: Scope): string {
  if (principal.tenantId === null) throw RegistryErrors.tenantKeyRequired();
  if (!hasScope(principal, scope)) throw RegistryErrors.forbiddenScope(scope);
  return principal.tenantId;
}

export function requirePlatformAdmin(principal: ApiPrincipal): void {
  if (principal.tenantId !== null || !hasScope(principal, 'admin')) throw RegistryErrors.platformKeyRequired();
}

/** Platform admins manage every tenant; a tenant's own admin keys manage that tenant only. */
export function requireAdminOf(principal: ApiPrincipal, tenantId: string): void {
  if (principal.tenantId === null) {
    requirePlatformAdmin(principal);
    return;
  }
  if (principal.tenantId !== tenantId) throw RegistryErrors.tenantNotFound(tenantId);
  if (!hasScope(principal, 'admin')) throw RegistryErrors.forbiddenScope('admin');
}
