import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CreateGroupBody, Device, Group, GroupMembersBody, GroupMembersResult, GroupParams, NoContent, Page, PageQuery, PatchGroupBody } from '@plexus/contracts';
import { changeGroupMembers, createGroup, deleteGroup, getGroup, listGroupDevices, listGroups, patchGroup, tenantFor } from '@plexus/registry';
import { principalOf } from '../plugins/authentication.ts';
import { errorResponses } from '@plexus/http-api';
import type { RouteOptions } from './route-options.ts';

const tags = ['groups'];

export const groupRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { registry }) => {
  app.post(
    '/groups',
    {
      schema: {
        tags,
        summary: 'Create a static group (explicit members) or a dynamic one (a type/tags/status query)',
        body: CreateGroupBody,
        response: { 201: Group, ...errorResponses(400, 409) }
      }
    },
    async (request, reply) => {
      reply.code(201);
      return createGroup(registry, tenantFor(principalOf(request), 'registry:write'), request.body);
    }
  );

  app.get(
    '/groups',
    { schema: { tags, summary: 'List groups', response: { 200: Type.Object({ items: Type.Array(Group) }), ...errorResponses() } } },
    async (request) => ({ items: await listGroups(registry, tenantFor(principalOf(request), 'registry:read')) })
  );

  app.get(
    '/groups/:groupId',
    { schema: { tags, summary: 'Get a group', params: GroupParams, response: { 200: Group, ...errorResponses(404) } } },
    async (request) => getGroup(registry, tenantFor(principalOf(request), 'registry:read'), request.params.groupId)
  );

  app.patch(
    '/groups/:groupId',
    { schema: { tags, summary: 'Rename a group or change a dynamic group\'s query', params: GroupParams, body: PatchGroupBody, response: { 200: Group, ...errorResponses(400, 404, 409) } } },
    async (request) => patchGroup(registry, tenantFor(principalOf(request), 'registry:write'), request.params.groupId, request.body)
  );

  app.delete(
    '/groups/:groupId',
    { schema: { tags, summary: 'Delete a group (devices stay)', params: GroupParams, response: { 204: NoContent, ...errorResponses(404) } } },
    async (request, reply) => {
      await deleteGroup(registry, tenantFor(principalOf(request), 'registry:write'), request.params.groupId);
      reply.code(204);
    }
  );

  for (const [path, change] of [['members', 'add'], ['members/remove', 'remove']] as const) {
    app.post(
      `/groups/:groupId/${path}`,
      {
        schema: {
          tags,
          summary: change === 'add' ? 'Add devices to a static group' : 'Remove devices from a static group',
          params: GroupParams,
          body: GroupMembersBody,
          response: { 200: GroupMembersResult, ...errorResponses(400, 404, 409) }
        }
      },
      async (request) =>
        changeGroupMembers(registry, tenantFor(principalOf(request), 'registry:write'), request.params.groupId, request.body.deviceIds, change)
    );
  }

  app.get(
    '/groups/:groupId/devices',
    {
      schema: {
        tags,
        summary: 'Resolve a group to its devices, with cursor paging',
        params: GroupParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Page(Device), ...errorResponses(400, 404) }
      }
    },
    async (request) =>
      listGroupDevices(registry, tenantFor(principalOf(request), 'registry:read'), request.params.groupId, {
        limit: request.query.limit ?? 100,
        cursor: request.query.cursor
      })
  );
};
