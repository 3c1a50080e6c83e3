import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DeadLetterPage, DeadLetterQuery } from '@plexus/contracts';
import { errorResponses } from '@plexus/http-api';
import { tenantFor } from '../plugins/authentication.ts';
import type { DataRouteOptions } from './route-options.ts';

export const deadLetterRoutes: FastifyPluginAsyncTypebox<DataRouteOptions> = async (app, { deadLetters }) => {
  app.get(
    '/dead-letters',
    {
      schema: {
        tags: ['telemetry'],
        summary: "The tenant's records that could not be stored (unknown device, payload over the limit, schema mismatch), with the reason",
        querystring: DeadLetterQuery,
        response: { 200: DeadLetterPage, ...errorResponses(400) }
      }
    },
    async (request) => {
      const tenantId = tenantFor(request, 'telemetry:read');
      const limit = request.query.limit ?? 100;
      const after = request.query.cursor === undefined ? undefined : Buffer.from(request.query.cursor, 'base64url').toString('utf8');
      const letters = await deadLetters.list(tenantId, limit, after?.startsWith(`${tenantId}/`) ? after : undefined);
      const last = letters.at(-1);
      return {
        items: letters.map((letter) => ({
          id: letter.id,
          deviceId: letter.deviceId,
          messageId: letter.messageId,
          topic: letter.topic,
          code: letter.code,
          reason: letter.reason,
          receivedAt: letter.receivedAt,
          deadLetteredAt: letter.deadLetteredAt,
          payloadBytes: letter.payloadBytes,
          payloadBase64: letter.payload.toString('base64')
        })),
        nextCursor: letters.length === limit && last ? Buffer.from(last.id, 'utf8').toString('base64url') : null
      };
    }
  );
};
