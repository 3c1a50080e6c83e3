import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CreateTenantBody, PatchTenantBody, Tenant, TenantParams } from '@plexus/contracts';
import { createTenant, getTenant, listTenants, patchTenant, requireAdminOf, requirePlatformAdmin, setTenantSuspended } from '@plexus/registry';
import { principalOf } from '../plugins/authentication.ts';
import { errorResponses } from '@plexus/http-api';
import type { RouteOptions } from './route-options.ts';

const tags = ['tenants'];

export const tenantRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { registry }) => {
  app.post(
    '/tenants',
    { schema: { tags, summary: 'Create a tenant (platform admin)', body: CreateTenantBody, response: { 201: Tenant, ...errorResponses(400, 409) } } },
    async (request, reply) => {
      requirePlatformAdmin(principalOf(request));
      reply.code(201);
      return createTenant(registry, request.body);
    }
  );

  app.get(
    '/tenants',
    { schema: { tags, summary: 'List tenants (platform admin)', response: { 200: Type.Object({ items: Type.Array(Tenant) }), ...errorResponses() } } },
    async (request) => {
      requirePlatformAdmin(principalOf(request));
      return { items: await listTenants(registry) };
    }
  );

  app.get(
    '/tenants/:tenantId',
    { schema: { tags, summary: 'Get a tenant', params: TenantParams, response: { 200: Tenant, ...errorResponses(404) } } },
    async (request) => {
      requireAdminOf(principalOf(request), request.params.tenantId);
      return getTenant(registry, request.params.tenantId);
    }
  );

  app.patch(
    '/tenants/:tenantId',
    {
      schema: {
        tags,
        summary: "Rename a tenant or set how long its telemetry is kept (null: the data plane's default)",
        params: TenantParams,
        body: PatchTenantBody,
        response: { 200: Tenant, ...errorResponses(400, 404) }
      }
    },
    async (request) => {
      requireAdminOf(principalOf(request), request.params.tenantId);
      return patchTenant(registry, request.params.tenantId, request.body);
    }
  );

  for (const [action, suspended] of [['suspend', true], ['resume', false]] as const) {
    app.post(
      `/tenants/:tenantId/${action}`,
      {
        schema: {
          tags,
          summary: suspended ? 'Suspend a tenant: its devices and keys stop working at once' : 'Resume a suspended tenant',
          params: TenantParams,
          response: { 200: Tenant, ...errorResponses(404) }
        }
      },
      async (request) => {
        requirePlatformAdmin(principalOf(request));
        return setTenantSuspended(registry, request.params.tenantId, suspended);
      }
    );
  }
};
