import { Type, type Static } from 'typebox';
import { DeviceId, Page } from './common.ts';

const Instant = Type.String({
  pattern: '^(\\d{1,16}|\\d{4}-\\d\\d-\\d\\dT[0-9:.]+(Z|[+-]\\d\\d:\\d\\d))$',
  description: 'Epoch milliseconds or an ISO 8601 date-time, e.g. 1764150000000 or 2026-11-26T09:00:00Z.'
});

export const TelemetryQuery = Type.Object(
  {
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 })),
    cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque cursor from a previous page.' })),
    rollup: Type.Optional(Type.Union([Type.Literal('raw'), Type.Literal('1m'), Type.Literal('1h')], { default: 'raw' }))
  },
  { additionalProperties: false }
);
export type TelemetryQuery = Static<typeof TelemetryQuery>;

export const TelemetryPointBody = Type.Object({
  messageId: Type.String(),
  /** Epoch ms the gateway received it. */
  at: Type.Integer(),
  time: Type.String({ format: 'date-time' }),
  stream: Type.Union([Type.String(), Type.Null()]),
  fields: Type.Record(Type.String(), Type.Number()),
  /** The payload, when it is JSON. */
  payload: Type.Optional(Type.Unknown()),
  /** The payload as base64, when it is not JSON. */
  payloadBase64: Type.Optional(Type.String())
});
export type TelemetryPointBody = Static<typeof TelemetryPointBody>;

export const FieldAggregateBody = Type.Object({ min: Type.Number(), max: Type.Number(), avg: Type.Number(), sum: Type.Number(), count: Type.Integer(), last: Type.Number() });

export const RollupBucketBody = Type.Object({
  start: Type.Integer(),
  time: Type.String({ format: 'date-time' }),
  points: Type.Integer(),
  fields: Type.Record(Type.String(), FieldAggregateBody)
});
export type RollupBucketBody = Static<typeof RollupBucketBody>;

export const TelemetryPage = Type.Object({
  deviceId: Type.String(),
  from: Type.Integer(),
  to: Type.Integer(),
  rollup: Type.Union([Type.Literal('raw'), Type.Literal('1m'), Type.Literal('1h')]),
  /** Raw points (rollup=raw) or buckets (1m, 1h), oldest first. */
  items: Type.Union([Type.Array(TelemetryPointBody), Type.Array(RollupBucketBody)]),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Null on the last page.' })
});
export type TelemetryPage = Static<typeof TelemetryPage>;

export const TelemetryCountsBody = Type.Object(
  {
    deviceIds: Type.Array(DeviceId, { minItems: 1, maxItems: 10_000 }),
    from: Instant,
    to: Instant
  },
  { additionalProperties: false }
);
export type TelemetryCountsBody = Static<typeof TelemetryCountsBody>;

export const TelemetryCountsResponse = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  /** In the order of `deviceIds`; 0 for a device with no stored point in the range. */
  counts: Type.Array(Type.Object({ deviceId: Type.String(), count: Type.Integer({ minimum: 0 }) }))
});
export type TelemetryCountsResponse = Static<typeof TelemetryCountsResponse>;

export const DeadLetterBody = Type.Object({
  id: Type.String(),
  deviceId: Type.Union([Type.String(), Type.Null()]),
  messageId: Type.Union([Type.String(), Type.Null()]),
  topic: Type.Union([Type.String(), Type.Null()]),
  code: Type.String(),
  reason: Type.String(),
  receivedAt: Type.Union([Type.Integer(), Type.Null()]),
  deadLetteredAt: Type.Integer(),
  payloadBytes: Type.Integer(),
  /** The kept bytes (at most 64 KiB) as base64. */
  payloadBase64: Type.String()
});
export const DeadLetterQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })), cursor: Type.Optional(Type.String({ maxLength: 512 })) },
  { additionalProperties: false }
);
export const DeadLetterPage = Page(DeadLetterBody);
export type DeadLetterPage = Static<typeof DeadLetterPage>;
