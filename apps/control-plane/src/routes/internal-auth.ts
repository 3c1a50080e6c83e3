import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuthBatchBody, AuthBatchResponse, ErrorResponse } from '@plexus/contracts';
import { authenticateConnections } from '@plexus/registry';
import { ControlPlaneErrors } from '../errors.ts';
import { bearerToken } from '../plugins/authentication.ts';
import type { RouteOptions } from './route-options.ts';

function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Service-to-service: MQTT gateways authenticate CONNECT storms here, up to a thousand
 * CONNECTs a call. Guarded by the shared internal token, not by tenant API keys.
 */
export const internalAuthRoutes: FastifyPluginAsyncTypebox<RouteOptions & { internalToken: string }> = async (
  app,
  { registry, metrics, internalToken }
) => {
  app.addHook('onRequest', async (request) => {
    if (!sameSecret(bearerToken(request), internalToken)) throw ControlPlaneErrors.internalUnauthorized();
  });

  app.post(
    '/device-auth',
    {
      schema: {
        tags: ['internal'],
        summary: 'Authenticate a batch of MQTT CONNECTs (device tokens, device JWTs, app API keys)',
        body: AuthBatchBody,
        response: { 200: AuthBatchResponse, 400: ErrorResponse, 401: ErrorResponse }
      }
    },
    async (request) => {
      const results = await authenticateConnections(registry, request.body.requests);
      for (const result of results) metrics.connectAuthentications.inc({ result: result.result === 'allow' ? 'allow' : result.reason });
      return { results };
    }
  );
};
