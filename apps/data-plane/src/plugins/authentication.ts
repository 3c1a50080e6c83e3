import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiKeyPrincipal, Scope } from '@plexus/contracts';
import { bearerToken } from '@plexus/http-api';
import { DataPlaneErrors } from '../errors.ts';

/** Resolves API keys (the control plane's, through a cached lookup). */
export interface ApiKeyResolver {
  apiKeyPrincipal(key: string): Promise<ApiKeyPrincipal | null>;
}

declare module 'fastify' {
  interface FastifyRequest {
    apiPrincipal: ApiKeyPrincipal | null;
  }
}

/** The tenant a call acts on, once its key proves it holds `scope` there (`admin` implies every scope). */
export function tenantFor(request: FastifyRequest, scope: Scope): string {
  const principal = request.apiPrincipal;
  if (!principal) throw new Error('route registered without the authentication plugin');
  if (principal.tenantId === null) throw DataPlaneErrors.tenantKeyRequired();
  if (!principal.scopes.includes('admin') && !principal.scopes.includes(scope)) throw DataPlaneErrors.forbiddenScope(scope);
  return principal.tenantId;
}

/** Authenticates every request of its scope before the body is read. */
export const authentication = fp(
  async (app: FastifyInstance, { keys }: { keys: ApiKeyResolver }) => {
    app.decorateRequest('apiPrincipal', null);
    app.addHook('onRequest', async (request) => {
      const presented = bearerToken(request);
      const principal = presented === undefined ? null : await keys.apiKeyPrincipal(presented);
      if (!principal) throw DataPlaneErrors.unauthorized();
      if (principal.tenantSuspended) throw DataPlaneErrors.tenantSuspended(principal.tenantId ?? '');
      request.apiPrincipal = principal;
    });
  },
  { name: 'plexus-data-authentication' }
);
