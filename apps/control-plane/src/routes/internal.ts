import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ApiKeyPrincipalsBody,
  ApiKeyPrincipalsResponse,
  AuthBatchBody,
  AuthBatchResponse,
  DeviceProfilesBody,
  DeviceProfilesResponse,
  DeviceSightingsBody,
  DeviceSightingsResponse,
  ErrorResponse
} from '@plexus/contracts';
import { apiKeyPrincipals, authenticateConnections, deviceProfiles, recordSightings } from '@plexus/registry';
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
 * Service-to-service routes for the other planes: MQTT gateways authenticate CONNECT storms here
 * (up to a thousand CONNECTs a call) and report device sightings for `lastSeen`; the data plane
 * resolves API keys and looks up devices' types and telemetry schemas. Guarded by the shared
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

  app.post(
    '/api-key-principals',
    {
      schema: {
        tags: ['internal'],
        summary: 'Resolve API keys to their principals (tenant, scopes) for another plane',
        body: ApiKeyPrincipalsBody,
        response: { 200: ApiKeyPrincipalsResponse, 400: ErrorResponse, 401: ErrorResponse }
      }
    },
    async (request) => ({ principals: await apiKeyPrincipals(registry, request.body.keys) })
  );

  app.post(
    '/device-profiles',
    {
      schema: {
        tags: ['internal'],
        summary: "Devices' existence, status, type and telemetry schema, for the data plane's checks",
        body: DeviceProfilesBody,
        response: { 200: DeviceProfilesResponse, 400: ErrorResponse, 401: ErrorResponse }
      }
    },
    async (request) => ({ profiles: await deviceProfiles(registry, request.body.devices) })
  );
};
