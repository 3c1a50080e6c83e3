import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiKey, ApiKeyParams, CreateApiKeyBody, CreatedApiKey, NoContent, TenantParams } from '@plexus/contracts';
import { createApiKey, listApiKeys, requireAdminOf, revokeApiKey } from '@plexus/registry';
import { principalOf } from '../plugins/authentication.ts';
import { errorResponses } from '@plexus/http-api';
import type { RouteOptions } from './route-options.ts';

const tags = ['api-keys'];

export const apiKeyRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { registry }) => {
  app.post(
    '/tenants/:tenantId/api-keys',
    {
      schema: {
        tags,
        summary: 'Create an API key; the key is in this response only',
        params: TenantParams,
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey, ...errorResponses(400, 404) }
      }
    },
    async (request, reply) => {
      requireAdminOf(principalOf(request), request.params.tenantId);
      reply.code(201);
      return createApiKey(registry, request.params.tenantId, request.body);
    }
  );

  app.get(
    '/tenants/:tenantId/api-keys',
    { schema: { tags, summary: 'List API keys (without secrets)', params: TenantParams, response: { 200: Type.Object({ items: Type.Array(ApiKey) }), ...errorResponses(404) } } },
    async (request) => {
      requireAdminOf(principalOf(request), request.params.tenantId);
      return { items: await listApiKeys(registry, request.params.tenantId) };
    }
  );

  app.delete(
    '/tenants/:tenantId/api-keys/:keyId',
    { schema: { tags, summary: 'Revoke an API key', params: ApiKeyParams, response: { 204: NoContent, ...errorResponses(404) } } },
    async (request, reply) => {
      requireAdminOf(principalOf(request), request.params.tenantId);
      await revokeApiKey(registry, request.params.tenantId, request.params.keyId);
      reply.code(204);
    }
  );
};
