import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CreateDeviceTypeBody, DeviceType, DeviceTypeParams, NoContent, PatchDeviceTypeBody } from '@plexus/contracts';
import { createDeviceType, deleteDeviceType, getDeviceType, listDeviceTypes, patchDeviceType, tenantFor } from '@plexus/registry';
import { principalOf } from '../plugins/authentication.ts';
import { errorResponses } from '@plexus/http-api';
import type { RouteOptions } from './route-options.ts';

const tags = ['device-types'];

export const deviceTypeRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { registry }) => {
  app.post(
    '/device-types',
    { schema: { tags, summary: 'Create a device type', body: CreateDeviceTypeBody, response: { 201: DeviceType, ...errorResponses(400, 409) } } },
    async (request, reply) => {
      reply.code(201);
      return createDeviceType(registry, tenantFor(principalOf(request), 'registry:write'), request.body);
    }
  );

  app.get(
    '/device-types',
    { schema: { tags, summary: 'List device types', response: { 200: Type.Object({ items: Type.Array(DeviceType) }), ...errorResponses() } } },
    async (request) => ({ items: await listDeviceTypes(registry, tenantFor(principalOf(request), 'registry:read')) })
  );

  app.get(
    '/device-types/:name',
    { schema: { tags, summary: 'Get a device type', params: DeviceTypeParams, response: { 200: DeviceType, ...errorResponses(404) } } },
    async (request) => getDeviceType(registry, tenantFor(principalOf(request), 'registry:read'), request.params.name)
  );

  app.patch(
    '/device-types/:name',
    {
      schema: { tags, summary: 'Update a device type', params: DeviceTypeParams, body: PatchDeviceTypeBody, response: { 200: DeviceType, ...errorResponses(400, 404) } }
    },
    async (request) => patchDeviceType(registry, tenantFor(principalOf(request), 'registry:write'), request.params.name, request.body)
  );

  app.delete(
    '/device-types/:name',
    { schema: { tags, summary: 'Delete a device type no device uses', params: DeviceTypeParams, response: { 204: NoContent, ...errorResponses(404, 409) } } },
    async (request, reply) => {
      await deleteDeviceType(registry, tenantFor(principalOf(request), 'registry:write'), request.params.name);
      reply.code(204);
    }
  );
};
