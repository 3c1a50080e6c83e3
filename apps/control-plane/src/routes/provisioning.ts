import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CreatedDevice, RegisterDeviceBody } from '@plexus/contracts';
import { registerWithClaimToken } from '@plexus/registry';
import { errorResponses } from '@plexus/http-api';
import type { RouteOptions } from './route-options.ts';

/** Called by devices themselves: the claim token in the body is the credential, not an API key. */
export const provisioningRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { registry }) => {
  app.post(
    '/provisioning/register',
    {
      schema: {
        tags: ['provisioning'],
        summary: 'Exchange a claim token and a device id for the device\'s own credentials',
        security: [],
        body: RegisterDeviceBody,
        response: { 201: CreatedDevice, ...errorResponses(400, 409) }
      }
    },
    async (request, reply) => {
      reply.code(201);
      return registerWithClaimToken(registry, request.body);
    }
  );
};
