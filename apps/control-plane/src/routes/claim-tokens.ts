import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ClaimToken, ClaimTokenParams, CreateClaimTokenBody, CreatedClaimToken, NoContent } from '@plexus/contracts';
import { createClaimToken, listClaimTokens, revokeClaimToken, tenantFor } from '@plexus/registry';
import { principalOf } from '../plugins/authentication.ts';
import { errorResponses } from '@plexus/http-api';
import type { RouteOptions } from './route-options.ts';

const tags = ['provisioning'];

export const claimTokenRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { registry }) => {
  app.post(
    '/claim-tokens',
    {
      schema: {
        tags,
        summary: 'Create a claim token for fleet self-provisioning; the token is in this response only',
        body: CreateClaimTokenBody,
        response: { 201: CreatedClaimToken, ...errorResponses(400) }
      }
    },
    async (request, reply) => {
      reply.code(201);
      return createClaimToken(registry, tenantFor(principalOf(request), 'registry:write'), request.body);
    }
  );

  app.get(
    '/claim-tokens',
    { schema: { tags, summary: 'List claim tokens with their use counts', response: { 200: Type.Object({ items: Type.Array(ClaimToken) }), ...errorResponses() } } },
    async (request) => ({ items: await listClaimTokens(registry, tenantFor(principalOf(request), 'registry:read')) })
  );

  app.delete(
    '/claim-tokens/:claimTokenId',
    { schema: { tags, summary: 'Revoke a claim token', params: ClaimTokenParams, response: { 204: NoContent, ...errorResponses(404) } } },
    async (request, reply) => {
      await revokeClaimToken(registry, tenantFor(principalOf(request), 'registry:write'), request.params.claimTokenId);
      reply.code(204);
    }
  );
};
