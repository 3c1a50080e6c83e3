import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DeviceParams, TelemetryCountsBody, TelemetryCountsResponse, TelemetryPage, TelemetryPointBody, type RollupBucketBody } from '@plexus/contracts';
import { errorResponses } from '@plexus/http-api';
import { bucketStart, type RollupBucket, type TelemetryPoint } from '@plexus/telemetry-store';
import { TelemetryQuery } from '@plexus/contracts';
import { rangeOf } from '../instants.ts';
import { tenantFor } from '../plugins/authentication.ts';
import { DataPlaneErrors } from '../errors.ts';
import type { DataRouteOptions } from './route-options.ts';

const tags = ['telemetry'];
const decoder = new TextDecoder('utf-8', { fatal: true });

/** JSON payloads come back as JSON, anything else as base64. */
export function pointBody(point: TelemetryPoint): TelemetryPointBody {
  const body: TelemetryPointBody = { messageId: point.messageId, at: point.at, time: new Date(point.at).toISOString(), stream: point.stream, fields: { ...point.fields } };
  try {
    body.payload = JSON.parse(decoder.decode(point.payload));
  } catch {
    body.payloadBase64 = Buffer.from(point.payload).toString('base64');
  }
  return body;
}

function bucketBody(bucket: RollupBucket): RollupBucketBody {
  return { start: bucket.start, time: new Date(bucket.start).toISOString(), points: bucket.points, fields: { ...bucket.fields } };
}

export const telemetryRoutes: FastifyPluginAsyncTypebox<DataRouteOptions> = async (app, { timeSeries, now }) => {
  app.get(
    '/devices/:deviceId/telemetry',
    {
      schema: {
        tags,
        summary: "A device's telemetry in a time range: raw points, or 1-minute or 1-hour rollups (min, max, avg, sum, count, last per numeric field)",
        params: DeviceParams,
        querystring: TelemetryQuery,
        response: { 200: TelemetryPage, ...errorResponses(400) }
      }
    },
    async (request) => {
      const tenantId = tenantFor(request, 'telemetry:read');
      const { deviceId } = request.params;
      const range = rangeOf(request.query, 'querystring', now());
      const page = { limit: request.query.limit ?? 1000, ...(request.query.cursor === undefined ? {} : { cursor: request.query.cursor }) };
      const rollup = request.query.rollup ?? 'raw';
      if (rollup === 'raw') {
        const points = await timeSeries.queryPoints(tenantId, deviceId, range, page);
        return { deviceId, ...range, rollup, items: points.items.map(pointBody), nextCursor: points.cursor };
      }
      // Buckets that overlap the range: the first one may start before `from`.
      const aligned = { from: bucketStart(range.from, rollup), to: range.to };
      const buckets = await timeSeries.queryRollups(tenantId, deviceId, rollup, aligned, page);
      return { deviceId, ...aligned, rollup, items: buckets.items.map(bucketBody), nextCursor: buckets.cursor };
    }
  );

  app.get(
    '/devices/:deviceId/telemetry/latest',
    {
      schema: { tags, summary: "A device's latest stored point", params: DeviceParams, response: { 200: TelemetryPointBody, ...errorResponses(404) } }
    },
    async (request) => {
      const point = await timeSeries.latest(tenantFor(request, 'telemetry:read'), request.params.deviceId);
      if (!point) throw DataPlaneErrors.noTelemetry(request.params.deviceId);
      return pointBody(point);
    }
  );

  app.post(
    '/telemetry/counts',
    {
      schema: {
        tags,
        summary: 'Stored points per device in a time range, for up to 10,000 devices a call (loss checks, fleet reports)',
        body: TelemetryCountsBody,
        response: { 200: TelemetryCountsResponse, ...errorResponses(400) }
      }
    },
    async (request) => {
      const tenantId = tenantFor(request, 'telemetry:read');
      const range = rangeOf(request.body, 'body', now());
      const counts = await timeSeries.countPoints(tenantId, request.body.deviceIds, range);
      return { ...range, counts: request.body.deviceIds.map((deviceId, index) => ({ deviceId, count: counts[index] ?? 0 })) };
    }
  );
};
