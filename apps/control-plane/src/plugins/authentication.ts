import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { authenticateApiKey, type ApiPrincipal, type RegistryContext } from '@plexus/registry';

declare module 'fastify' {
  interface FastifyRequest {
    principal: ApiPrincipal | null;
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}

/** The API key's principal, for routes that have been authenticated. */
export function principalOf(request: FastifyRequest): ApiPrincipal {
  if (!request.principal) throw new Error('route registered without the authentication plugin');
  return request.principal;
}

/**
 * Authenticates every request of the scope it is registered in, before the body is parsed,
 * so an anonymous client cannot make the server read a large body.
 */
export const authentication = fp(
  async (app: FastifyInstance, { registry }: { registry: RegistryContext }) => {
    app.decorateRequest('principal', null);
    app.addHook('onRequest', async (request) => {
      request.principal = await authenticateApiKey(registry, bearerToken(request));
    });
  },
  { name: 'plexus-authentication' }
);
