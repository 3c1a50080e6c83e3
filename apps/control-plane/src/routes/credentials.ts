import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Credential, CredentialParams, DeviceParams, IssueCredentialBody, IssuedCredential, NoContent, RotateCredentialBody } from '@plexus/contracts';
import { addCredential, listCredentials, revokeCredential, rotateCredentials, tenantFor } from '@plexus/registry';
import { principalOf } from '../plugins/authentication.ts';
import { errorResponses } from '@plexus/http-api';
import type { RouteOptions } from './route-options.ts';

const tags = ['credentials'];

export const credentialRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { registry }) => {
  app.get(
    '/devices/:deviceId/credentials',
    {
      schema: { tags, summary: 'List live credentials (without secrets)', params: DeviceParams, response: { 200: Type.Object({ items: Type.Array(Credential) }), ...errorResponses(404) } }
    },
    async (request) => ({
      items: await listCredentials(registry, tenantFor(principalOf(request), 'registry:read'), request.params.deviceId)
    })
  );

  app.post(
    '/devices/:deviceId/credentials',
    {
      schema: {
        tags,
        summary: 'Issue an additional token (it is in this response only), or register a client certificate (kind x509)',
        params: DeviceParams,
        body: Type.Optional(IssueCredentialBody),
        response: { 201: Type.Union([IssuedCredential, Credential]), ...errorResponses(400, 404, 409) }
      }
    },
    async (request, reply) => {
      const credential = await addCredential(registry, tenantFor(principalOf(request), 'registry:write'), request.params.deviceId, request.body ?? {});
      reply.code(201);
      return credential;
    }
  );

  app.post(
    '/devices/:deviceId/credentials/rotate',
    {
      schema: {
        tags,
        summary: 'Issue a new token and retire the others, at once or after a grace period',
        params: DeviceParams,
        body: Type.Optional(RotateCredentialBody),
        response: { 201: IssuedCredential, ...errorResponses(400, 404) }
      }
    },
    async (request, reply) => {
      reply.code(201);
      return rotateCredentials(registry, tenantFor(principalOf(request), 'registry:write'), request.params.deviceId, {
        graceSeconds: request.body?.graceSeconds,
        ttlSeconds: request.body?.ttlSeconds
      });
    }
  );

  app.delete(
    '/devices/:deviceId/credentials/:credentialId',
    {
      schema: { tags, summary: 'Revoke a credential; live sessions using it are dropped', params: CredentialParams, response: { 204: NoContent, ...errorResponses(404) } }
    },
    async (request, reply) => {
      await revokeCredential(registry, tenantFor(principalOf(request), 'registry:write'), request.params.deviceId, request.params.credentialId);
      reply.code(204);
    }
  );
};
