import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CreateSigningKeyBody, NoContent, SigningKey, SigningKeyParams } from '@plexus/contracts';
import { createSigningKey, listSigningKeys, revokeSigningKey, tenantFor } from '@plexus/registry';
import { principalOf } from '../plugins/authentication.ts';
import { errorResponses } from '@plexus/http-api';
import type { RouteOptions } from './route-options.ts';

const tags = ['signing-keys'];

export const signingKeyRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { registry }) => {
  app.post(
    '/signing-keys',
    {
      schema: {
        tags,
        summary: 'Register an Ed25519 public key; devices may then connect with JWTs signed by its private key',
        body: CreateSigningKeyBody,
        response: { 201: SigningKey, ...errorResponses(400) }
      }
    },
    async (request, reply) => {
      reply.code(201);
      return createSigningKey(registry, tenantFor(principalOf(request), 'admin'), request.body);
    }
  );

  app.get(
    '/signing-keys',
    { schema: { tags, summary: 'List signing keys', response: { 200: Type.Object({ items: Type.Array(SigningKey) }), ...errorResponses() } } },
    async (request) => ({ items: await listSigningKeys(registry, tenantFor(principalOf(request), 'registry:read')) })
  );

  app.delete(
    '/signing-keys/:signingKeyId',
    { schema: { tags, summary: 'Revoke a signing key; JWTs it signed stop working', params: SigningKeyParams, response: { 204: NoContent, ...errorResponses(404) } } },
    async (request, reply) => {
      await revokeSigningKey(registry, tenantFor(principalOf(request), 'admin'), request.params.signingKeyId);
      reply.code(204);
    }
  );
};
