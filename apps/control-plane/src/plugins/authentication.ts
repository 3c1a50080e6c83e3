import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { bearerToken } from '@plexus/http-api';
import { authenticateApiKey, type ApiPrincipal, type RegistryContext } from '@plexus/registry';

declare module 'fastify' {
  interface FastifyRequest {
    principal: ApiPrincipal | null;
  }
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
