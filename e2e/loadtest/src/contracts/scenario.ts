import { Type, type Static } from 'typebox';

// The normalized scenario the engine runs. YAML files and Tsung XML are both parsed into this
// shape (src/scenario/), so agents and the controller never see either source format.

const Milliseconds = Type.Integer({ minimum: 0, description: 'Milliseconds.' });

export const ArrivalPhase = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    durationMs: Type.Integer({ minimum: 1 }),
    /** Devices starting their session per second; with `total`, the count is capped at it. */
    ratePerSec: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    /** Devices starting their session in this phase, spread evenly over its duration. */
    total: Type.Optional(Type.Integer({ minimum: 0 }))
  },
  { additionalProperties: false }
);
export type ArrivalPhase = Static<typeof ArrivalPhase>;

export const Will = Type.Object(
  {
    topic: Type.String({ minLength: 1 }),
    payload: Type.String(),
    qos: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]),
    retain: Type.Boolean()
  },
  { additionalProperties: false }
);

export const ConnectStep = Type.Object(
  {
    kind: Type.Literal('connect'),
    protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)]),
    cleanStart: Type.Boolean(),
    keepaliveSec: Type.Integer({ minimum: 0, maximum: 65_535 }),
    /** Session Expiry Interval for MQTT 5 (0: ends with the connection). */
    sessionExpirySec: Type.Integer({ minimum: 0 }),
    will: Type.Optional(Will)
  },
  { additionalProperties: false }
);
export type ConnectStep = Static<typeof ConnectStep>;

export const PayloadSpec = Type.Union([
  /** Random-looking filler of this many bytes (JSON object when `stamped`, so the data plane stores it). */
  Type.Object({ kind: Type.Literal('size'), bytes: Type.Integer({ minimum: 0, maximum: 262_144 }) }, { additionalProperties: false }),
  /** A text template: `{deviceId}`, `{seq}`, `{timestamp}` and `{random}` are replaced per message. */
  Type.Object({ kind: Type.Literal('template'), template: Type.String() }, { additionalProperties: false })
]);
export type PayloadSpec = Static<typeof PayloadSpec>;

export const PublishStep = Type.Object(
  {
    kind: Type.Literal('publish'),
    /** Topic template; `{deviceId}` is replaced, e.g. `devices/{deviceId}/telemetry`. */
    topic: Type.String({ minLength: 1 }),
    qos: Type.Union([Type.Literal(0), Type.Literal(1)]),
    retain: Type.Boolean(),
    payload: PayloadSpec,
    /** Carries the send time so a subscriber (or the report) can measure end-to-end latency. */
    stamped: Type.Boolean()
  },
  { additionalProperties: false }
);
export type PublishStep = Static<typeof PublishStep>;

export const SubscribeStep = Type.Object(
  {
    kind: Type.Literal('subscribe'),
    filter: Type.String({ minLength: 1 }),
    qos: Type.Union([Type.Literal(0), Type.Literal(1)])
  },
  { additionalProperties: false }
);
export type SubscribeStep = Static<typeof SubscribeStep>;

export const ThinkStep = Type.Object(
  {
    kind: Type.Literal('think'),
    /** Fixed pause, or the mean of an exponential one. */
    meanMs: Milliseconds,
    distribution: Type.Union([Type.Literal('fixed'), Type.Literal('exponential')])
  },
  { additionalProperties: false }
);
export type ThinkStep = Static<typeof ThinkStep>;

export const StayStep = Type.Object(
  {
    kind: Type.Literal('stay'),
    /** Stay connected (keepalive pings only) this long; omitted: until the run ends. */
    durationMs: Type.Optional(Milliseconds)
  },
  { additionalProperties: false }
);
export type StayStep = Static<typeof StayStep>;

export const DisconnectStep = Type.Object({ kind: Type.Literal('disconnect') }, { additionalProperties: false });
export type DisconnectStep = Static<typeof DisconnectStep>;

export type LoopStep = { kind: 'loop'; count: number; steps: SessionStep[] };
export type SessionStep = ConnectStep | PublishStep | SubscribeStep | ThinkStep | StayStep | DisconnectStep | LoopStep;

export const SessionStep = Type.Cyclic(
  {
    Step: Type.Union([
      ConnectStep,
      PublishStep,
      SubscribeStep,
      ThinkStep,
      StayStep,
      DisconnectStep,
      Type.Object(
        { kind: Type.Literal('loop'), count: Type.Integer({ minimum: 1 }), steps: Type.Array(Type.Ref('Step'), { minItems: 1 }) },
        { additionalProperties: false }
      )
    ])
  },
  'Step'
);

export const Thresholds = Type.Object(
  {
    /** Acknowledged messages missing from storage the run tolerates (the platform promises 0). */
    maxLost: Type.Integer({ minimum: 0 }),
    /** Errors of any kind, as a fraction of devices, the run tolerates. */
    maxErrorRatio: Type.Number({ minimum: 0, maximum: 1 }),
    /** How long the loss check waits for the data plane to store what was acknowledged. */
    storeWaitMs: Milliseconds
  },
  { additionalProperties: false }
);
export type Thresholds = Static<typeof Thresholds>;

export const Scenario = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    description: Type.String(),
    /** Fleet size: devices provisioned and started over the phases. */
    devices: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    phases: Type.Array(ArrivalPhase, { minItems: 1 }),
    session: Type.Array(SessionStep, { minItems: 1 }),
    thresholds: Thresholds,
    /** A run that has not ended by then is stopped and reported as failed (`errors.timeout`). */
    maxDurationMs: Type.Integer({ minimum: 1 })
  },
  { additionalProperties: false }
);
export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly devices: number;
  readonly phases: readonly ArrivalPhase[];
  readonly session: readonly SessionStep[];
  readonly thresholds: Thresholds;
  readonly maxDurationMs: number;
}
