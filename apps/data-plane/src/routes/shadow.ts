import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DeviceParams, PatchShadowBody, ShadowDocumentBody } from '@plexus/contracts';
import { errorResponses } from '@plexus/http-api';
import { shadowDocument } from '@plexus/telemetry-ingest';
import { DataPlaneErrors } from '../errors.ts';
import { tenantFor } from '../plugins/authentication.ts';
import type { DataRouteOptions } from './route-options.ts';

const tags = ['shadow'];

export const shadowRoutes: FastifyPluginAsyncTypebox<DataRouteOptions> = async (app, { shadows, now }) => {
  app.get(
    '/devices/:deviceId/shadow',
    {
      schema: {
        tags,
        summary: "A device's shadow: desired, reported, their delta, per-field timestamps and version",
        params: DeviceParams,
        response: { 200: ShadowDocumentBody, ...errorResponses(404) }
      }
    },
    async (request) => {
      const shadow = await shadows.get(tenantFor(request, 'telemetry:read'), request.params.deviceId);
      if (!shadow) throw DataPlaneErrors.shadowNotFound(request.params.deviceId);
      return shadowDocument(shadow);
    }
  );

  app.patch(
    '/devices/:deviceId/shadow',
    {
      schema: {
        tags,
        summary: "Change a device's desired state (JSON merge: null deletes a key); with `version`, only if the shadow is at it (409 otherwise). The device gets the delta over MQTT.",
        params: DeviceParams,
        body: PatchShadowBody,
        response: { 200: ShadowDocumentBody, ...errorResponses(400, 409) }
      }
    },
    async (request) => {
      const tenantId = tenantFor(request, 'shadow:write');
      const shadow = await shadows.update(tenantId, request.params.deviceId, { desired: request.body.desired }, now(), request.body.version);
      return shadowDocument(shadow);
    }
  );
};
