import { Type, type Static } from 'typebox';
import { DeviceId, PageQuery, Slug, Timestamp } from './common.ts';

// Choices (which devices, which condition) are objects with exactly one property rather than
// unions: Fastify's Ajv reports a union's failure against its first branch, so a bad absence
// condition would be blamed on a missing threshold field. One object names the real field.

export const ComparisonOperator = Type.Union(
  [Type.Literal('>'), Type.Literal('>='), Type.Literal('<'), Type.Literal('<='), Type.Literal('=='), Type.Literal('!=')],
  { description: 'How the measured value compares with `value`.' }
);
export type ComparisonOperator = Static<typeof ComparisonOperator>;

const Seconds = (description: string, maximum = 7 * 86_400) => Type.Integer({ minimum: 1, maximum, description });

export const FieldName = Type.String({
  minLength: 1,
  maxLength: 256,
  description: 'A numeric field of the JSON payload, flattened with dots (`{"a":{"b":1}}` → `a.b`).'
});

export const RuleDeviceSelector = Type.Object(
  {
    deviceId: Type.Optional(DeviceId),
    deviceIds: Type.Optional(Type.Array(DeviceId, { minItems: 1, maxItems: 1000, uniqueItems: true })),
    all: Type.Optional(Type.Literal(true, { description: 'Every device of the tenant, including devices created later.' }))
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1, description: 'Exactly one of deviceId, deviceIds, all.' }
);
export type RuleDeviceSelector = Static<typeof RuleDeviceSelector>;

export const WindowAggregate = Type.Union([Type.Literal('avg'), Type.Literal('min'), Type.Literal('max'), Type.Literal('count')]);
export type WindowAggregate = Static<typeof WindowAggregate>;

export const ThresholdCondition = Type.Object(
  {
    field: FieldName,
    operator: ComparisonOperator,
    value: Type.Number(),
    window: Type.Optional(
      Type.Object(
        {
          seconds: Seconds('Points of the last this many seconds, up to the point being evaluated.', 86_400),
          aggregate: WindowAggregate
        },
        { additionalProperties: false, description: 'Compare an aggregate over a sliding window instead of each value.' }
      )
    )
  },
  { additionalProperties: false }
);
export type ThresholdCondition = Static<typeof ThresholdCondition>;

export const RateOfChangeCondition = Type.Object(
  {
    field: FieldName,
    per: Seconds('The change is scaled to this many seconds (60 = change per minute).', 86_400),
    operator: ComparisonOperator,
    value: Type.Number()
  },
  { additionalProperties: false, description: 'Change of the field between consecutive points of a device, per `per` seconds.' }
);
export type RateOfChangeCondition = Static<typeof RateOfChangeCondition>;

export const AbsenceCondition = Type.Object(
  {
    seconds: Seconds('Open an alert when a device sent no matching point for this long.'),
    /** Only points carrying this field count as data. */
    field: Type.Optional(FieldName)
  },
  { additionalProperties: false }
);
export type AbsenceCondition = Static<typeof AbsenceCondition>;

export const RuleCondition = Type.Object(
  {
    threshold: Type.Optional(ThresholdCondition),
    rateOfChange: Type.Optional(RateOfChangeCondition),
    absence: Type.Optional(AbsenceCondition)
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1, description: 'Exactly one of threshold, rateOfChange, absence.' }
);
export type RuleCondition = Static<typeof RuleCondition>;

export const AlertSeverity = Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]);
export type AlertSeverity = Static<typeof AlertSeverity>;

export const RuleWebhookInput = Type.Object(
  {
    url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 }),
    secret: Type.Optional(
      Type.String({
        minLength: 16,
        maxLength: 256,
        description: 'Signs each POST: `X-Plexus-Signature: sha256=<hex HMAC-SHA256 of the body>`. Write-only.'
      })
    )
  },
  { additionalProperties: false }
);
export type RuleWebhookInput = Static<typeof RuleWebhookInput>;

export const RuleWebhook = Type.Object({
  url: Type.String(),
  signed: Type.Boolean({ description: 'Whether a secret is set; the secret itself is never returned.' })
});
export type RuleWebhook = Static<typeof RuleWebhook>;

export const TelemetryStreamName = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$',
  description: 'The `{stream}` of `devices/{id}/telemetry/{stream}`.'
});

const ruleFields = {
  name: Type.Optional(Type.String({ maxLength: 200 })),
  enabled: Type.Optional(Type.Boolean({ default: true })),
  devices: RuleDeviceSelector,
  stream: Type.Optional(
    Type.Union([TelemetryStreamName, Type.Null()], {
      description: 'Only points of this telemetry stream; null = the main `devices/{id}/telemetry`; absent = every stream.'
    })
  ),
  condition: RuleCondition,
  severity: Type.Optional(AlertSeverity),
  cooldownSeconds: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 86_400, description: 'After an alert opens, the same rule and device open no other for this long.' })
  )
};

export const RuleCreate = Type.Object(
  {
    id: Slug,
    ...ruleFields,
    webhook: Type.Optional(RuleWebhookInput)
  },
  { additionalProperties: false }
);
export type RuleCreate = Static<typeof RuleCreate>;

export const RuleUpdate = Type.Object(
  {
    name: ruleFields.name,
    enabled: Type.Optional(Type.Boolean()),
    devices: Type.Optional(RuleDeviceSelector),
    stream: ruleFields.stream,
    condition: Type.Optional(RuleCondition),
    severity: ruleFields.severity,
    cooldownSeconds: ruleFields.cooldownSeconds,
    webhook: Type.Optional(Type.Union([RuleWebhookInput, Type.Null()], { description: 'null removes the webhook.' }))
  },
  { additionalProperties: false, minProperties: 1 }
);
export type RuleUpdate = Static<typeof RuleUpdate>;

export const Rule = Type.Object({
  id: Slug,
  tenantId: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  devices: RuleDeviceSelector,
  stream: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  condition: RuleCondition,
  severity: AlertSeverity,
  cooldownSeconds: Type.Integer(),
  webhook: Type.Union([RuleWebhook, Type.Null()]),
  version: Type.Integer({ description: 'Grows by one with every update; evaluation state restarts with it.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp
});
export type Rule = Static<typeof Rule>;

export const RuleParams = Type.Object({ ruleId: Slug });

export const ListRulesQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
export type ListRulesQuery = Static<typeof ListRulesQuery>;

export const AlertState = Type.Union([Type.Literal('open'), Type.Literal('resolved')]);
export type AlertState = Static<typeof AlertState>;

export const AlertConditionKind = Type.Union([Type.Literal('threshold'), Type.Literal('rateOfChange'), Type.Literal('absence')]);
export type AlertConditionKind = Static<typeof AlertConditionKind>;

/**
 * One episode of a rule's condition holding for one device: opened when it became true, resolved
 * when it became false again. Both transitions are stored on this one record and each is
 * published as an AlertEvent.
 */
export const Alert = Type.Object({
  id: Type.String({ description: 'Stable: the same points produce the same id, so a replayed stream adds no alert.' }),
  tenantId: Type.String(),
  ruleId: Slug,
  ruleName: Type.String(),
  deviceId: DeviceId,
  condition: AlertConditionKind,
  severity: AlertSeverity,
  state: AlertState,
  openedAt: Timestamp,
  openValue: Type.Number({ description: 'Threshold: the value or window aggregate; rate of change: the rate; absence: seconds without data.' }),
  message: Type.String(),
  resolvedAt: Type.Union([Timestamp, Type.Null()]),
  resolvedValue: Type.Union([Type.Number(), Type.Null()])
});
export type Alert = Static<typeof Alert>;

/** What is published on `alerts/{ruleId}/{deviceId}` (MQTT, the tenant's tree) and POSTed to a rule's webhook. */
export const AlertEvent = Type.Object({
  kind: Type.Union([Type.Literal('opened'), Type.Literal('resolved')]),
  alert: Alert
});
export type AlertEvent = Static<typeof AlertEvent>;

export const AlertParams = Type.Object({ alertId: Type.String({ minLength: 1, maxLength: 400 }) });

export const ListAlertsQuery = Type.Object(
  {
    state: Type.Optional(AlertState),
    ruleId: Type.Optional(Slug),
    deviceId: Type.Optional(DeviceId),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    ...PageQuery
  },
  { additionalProperties: false }
);
export type ListAlertsQuery = Static<typeof ListAlertsQuery>;
