import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuthBatchBody, AuthBatchResponse, DeviceSightingsBody, DeviceSightingsResponse, ErrorResponse } from '@plexus/contracts';
import { authenticateConnections, recordSightings } from '@plexus/registry';
import { ControlPlaneErrors } from '../errors.ts';
import { bearerToken } from '@plexus/http-api';
import type { RouteOptions } from './route-options.ts';

function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Service-to-service routes for MQTT gateways: CONNECT storms are authenticated here, up to a
 * thousand CONNECTs a call, and device sightings update `lastSeen`. Guarded by the shared
 * internal token, not by tenant API keys.
 */
export const internalRoutes: FastifyPluginAsyncTypebox<RouteOptions & { internalToken: string }> = async (
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

  app.post(
    '/device-sightings',
    {
      schema: {
        tags: ['internal'],
        summary: "Record devices a gateway has seen; each device's lastSeen moves to its latest sighting",
        body: DeviceSightingsBody,
        response: { 200: DeviceSightingsResponse, 400: ErrorResponse, 401: ErrorResponse }
      }
    },
    async (request) => ({ recorded: await recordSightings(registry, request.body.sightings) })
  );
};
