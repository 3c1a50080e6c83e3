import { PassThrough, type Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { BulkResultLine } from '@plexus/contracts';
import { isPlexusError } from '@plexus/errors';
import { DEFAULT_BULK_OPTIONS, importDevices, tenantFor } from '@plexus/registry';
import { ndjsonLines } from '../ndjson-lines.ts';
import { principalOf } from '../plugins/authentication.ts';
import type { RouteOptions } from './route-options.ts';

const NDJSON = 'application/x-ndjson';

/**
 * `POST /v1/devices/bulk`: NDJSON in, NDJSON out, both streamed, for up to a million devices
 * in one request. Results are written without waiting for the client to read them: clients
 * that send the whole body before reading (half-duplex) would otherwise deadlock, and the
 * result stream is bounded by the line limit (about 150 bytes a device).
 */
export const deviceBulkRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { registry, metrics }) => {
  app.addContentTypeParser(NDJSON, (_request, payload, done) => done(null, payload));

  app.post(
    '/devices/bulk',
    {
      schema: {
        tags: ['devices'],
        summary: 'Register many devices from NDJSON',
        description:
          'Body: one JSON device per line (`{"id": "...", "type"?, "name"?, "tags"?, "attributes"?, "status"?}`), up to 1,000,000 lines. ' +
          'Response (NDJSON, streamed): per line `{line, id, token, credentialId}` when created, `{line, id, status: "exists"}` when the id ' +
          'was already registered (re-uploads are idempotent), `{line, id?, error: {code, message, field?}}` when the line is bad; then ' +
          '`{summary: {lines, created, existing, failed}}`, or a final `{error}` line if the upload was cut short.',
        consumes: [NDJSON],
        produces: [NDJSON]
      }
    },
    async (request, reply) => {
      const tenantId = tenantFor(principalOf(request), 'registry:write');
      const output = new PassThrough();
      const write = (line: BulkResultLine | { error: { code: string; message: string } }) => output.write(`${JSON.stringify(line)}\n`);
      reply.type(NDJSON).send(output);
      try {
        const lines = ndjsonLines(request.body as Readable, DEFAULT_BULK_OPTIONS.maxLineBytes);
        const summary = await importDevices(registry, tenantId, lines, write);
        write({ summary });
        metrics.bulkDevices.inc({ outcome: 'created' }, summary.created);
        metrics.bulkDevices.inc({ outcome: 'existing' }, summary.existing);
        metrics.bulkDevices.inc({ outcome: 'failed' }, summary.failed);
        request.log.info({ tenantId, ...summary }, 'bulk registration finished');
      } catch (error) {
        if (!isPlexusError(error)) request.log.error({ err: error }, 'bulk registration failed');
        write({
          error: isPlexusError(error)
            ? { code: error.code, message: error.message }
            : { code: 'PLX_CONTROL_INTERNAL', message: 'bulk registration stopped; lines without a result were not registered' }
        });
      } finally {
        output.end();
      }
      return reply;
    }
  );
};
