import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CreateDeviceBody, CreatedDevice, Device, DeviceParams, ListDevicesQuery, NoContent, Page, PatchDeviceBody } from '@plexus/contracts';
import { createDevice, deleteDevice, getDevice, listDevices, patchDevice, tenantFor } from '@plexus/registry';
import { principalOf } from '../plugins/authentication.ts';
import { errorResponses } from '@plexus/http-api';
import type { RouteOptions } from './route-options.ts';

const tags = ['devices'];

export const deviceRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { registry }) => {
  app.post(
    '/devices',
    {
      schema: {
        tags,
        summary: 'Register a device; its first token is in this response only',
        body: CreateDeviceBody,
        response: { 201: CreatedDevice, ...errorResponses(400, 409) }
      }
    },
    async (request, reply) => {
      reply.code(201);
      return createDevice(registry, tenantFor(principalOf(request), 'registry:write'), request.body);
    }
  );

  app.get(
    '/devices',
    {
      schema: {
        tags,
        summary: 'List devices by id, filtered by type, tags (all of) and status, with cursor paging',
        querystring: ListDevicesQuery,
        response: { 200: Page(Device), ...errorResponses(400) }
      }
    },
    async (request) => {
      const { type, tag, status, limit, cursor } = request.query;
      const tags = tag === undefined ? undefined : Array.isArray(tag) ? tag : [tag];
      return listDevices(registry, tenantFor(principalOf(request), 'registry:read'), { type, tags, status }, { limit: limit ?? 100, cursor });
    }
  );

  app.get(
    '/devices/:deviceId',
    { schema: { tags, summary: 'Get a device', params: DeviceParams, response: { 200: Device, ...errorResponses(404) } } },
    async (request) => getDevice(registry, tenantFor(principalOf(request), 'registry:read'), request.params.deviceId)
  );

  app.patch(
    '/devices/:deviceId',
    {
      schema: {
        tags,
        summary: 'Update a device; disabling it drops its live sessions',
        params: DeviceParams,
        body: PatchDeviceBody,
        response: { 200: Device, ...errorResponses(400, 404) }
      }
    },
    async (request) => patchDevice(registry, tenantFor(principalOf(request), 'registry:write'), request.params.deviceId, request.body)
  );

  app.delete(
    '/devices/:deviceId',
    { schema: { tags, summary: 'Delete a device and its credentials', params: DeviceParams, response: { 204: NoContent, ...errorResponses(404) } } },
    async (request, reply) => {
      await deleteDevice(registry, tenantFor(principalOf(request), 'registry:write'), request.params.deviceId);
      reply.code(204);
    }
  );
};
