import type { ConnectStep, PayloadSpec, PublishStep, SessionStep, StayStep, SubscribeStep, ThinkStep } from '../contracts/scenario.ts';
import { CONNECT_DEFAULTS, PUBLISH_DEFAULTS, STAMPED_TEMPLATE_START, SUBSCRIBE_DEFAULTS } from './scenario-defaults.ts';
import { scenarioErrors, where } from './errors.ts';
import {
  child,
  fail,
  isAbsent,
  optional,
  readBoolean,
  readChoice,
  readDurationMs,
  readInteger,
  readList,
  readMap,
  readString,
  readWholeSeconds,
  required,
  type Field
} from './yaml-fields.ts';

// A YAML session is a list of one-key maps (`- publish: { qos: 1 }`), or bare names for steps
// that need no settings (`- disconnect`); this turns each into its SessionStep.

const MAX_PAYLOAD_BYTES = 262_144;
const MAX_KEEPALIVE_SEC = 65_535;
const MAX_SESSION_EXPIRY_SEC = 4_294_967_295;

function readConnect(field: Field): ConnectStep {
  readMap(field, ['mqtt', 'clean', 'keepalive', 'sessionExpiry', 'will']);
  const version = optional(child(field, 'mqtt'), (mqtt) => readChoice(mqtt, ['3.1.1', 5] as const), '3.1.1');
  const protocolVersion = version === 5 ? 5 : CONNECT_DEFAULTS.protocolVersion;
  const sessionExpiry = child(field, 'sessionExpiry');
  const sessionExpirySec = optional(sessionExpiry, (value) => readWholeSeconds(value, MAX_SESSION_EXPIRY_SEC), CONNECT_DEFAULTS.sessionExpirySec);
  if (sessionExpirySec > 0 && protocolVersion !== 5) fail(sessionExpiry, 'needs mqtt: 5 (MQTT 3.1.1 has no session expiry)');
  const step: ConnectStep = {
    kind: 'connect',
    protocolVersion,
    cleanStart: optional(child(field, 'clean'), readBoolean, CONNECT_DEFAULTS.cleanStart),
    keepaliveSec: optional(child(field, 'keepalive'), (value) => readWholeSeconds(value, MAX_KEEPALIVE_SEC), CONNECT_DEFAULTS.keepaliveSec),
    sessionExpirySec
  };
  const will = child(field, 'will');
  if (isAbsent(will)) return step;
  readMap(will, ['topic', 'payload', 'qos', 'retain']);
  return {
    ...step,
    will: {
      topic: readString(required(child(will, 'topic'))),
      payload: optional(child(will, 'payload'), (value) => readString(value, true), ''),
      qos: optional(child(will, 'qos'), (value) => readChoice(value, [0, 1, 2] as const), 0),
      retain: optional(child(will, 'retain'), readBoolean, false)
    }
  };
}

function readPayload(field: Field): PayloadSpec {
  const size = child(field, 'size');
  const template = child(field, 'payload');
  if (!isAbsent(size) && !isAbsent(template)) fail(template, 'cannot be given with size: a payload is either a size or a template');
  if (!isAbsent(template)) return { kind: 'template', template: readString(template, true) };
  return { kind: 'size', bytes: optional(size, (value) => readInteger(value, 0, MAX_PAYLOAD_BYTES), PUBLISH_DEFAULTS.payloadBytes) };
}

/**
 * A sized payload is stamped unless told otherwise. A template carries the send time only where
 * it writes it, and receivers read it from the front (`{"ts":{timestamp}…`), so a template is
 * stamped only when asked and then must start that way.
 */
function readStamped(field: Field, payload: PayloadSpec): boolean {
  const stamped = child(field, 'stamped');
  if (payload.kind === 'size') return optional(stamped, readBoolean, PUBLISH_DEFAULTS.stamped);
  const asked = optional(stamped, readBoolean, false);
  if (asked && !payload.template.startsWith(STAMPED_TEMPLATE_START)) {
    fail(stamped, `needs the payload to start with ${STAMPED_TEMPLATE_START}, where receivers read the send time`);
  }
  return asked;
}

function readPublish(field: Field): PublishStep {
  readMap(field, ['topic', 'qos', 'retain', 'stamped', 'size', 'payload']);
  const payload = readPayload(field);
  return {
    kind: 'publish',
    topic: optional(child(field, 'topic'), readString, PUBLISH_DEFAULTS.topic),
    qos: optional(child(field, 'qos'), (value) => readChoice(value, [0, 1] as const), PUBLISH_DEFAULTS.qos),
    retain: optional(child(field, 'retain'), readBoolean, PUBLISH_DEFAULTS.retain),
    payload,
    stamped: readStamped(field, payload)
  };
}

function readSubscribe(field: Field): SubscribeStep {
  readMap(field, ['filter', 'qos']);
  return {
    kind: 'subscribe',
    filter: optional(child(field, 'filter'), readString, SUBSCRIBE_DEFAULTS.filter),
    qos: optional(child(field, 'qos'), (value) => readChoice(value, [0, 1] as const), SUBSCRIBE_DEFAULTS.qos)
  };
}

/** `think: 200ms` is a fixed pause; the map form also names the distribution. */
function readThink(field: Field): ThinkStep {
  if (typeof field.value !== 'object' || field.value === null) return { kind: 'think', meanMs: readDurationMs(required(field)), distribution: 'fixed' };
  readMap(field, ['mean', 'distribution']);
  return {
    kind: 'think',
    meanMs: readDurationMs(required(child(field, 'mean'))),
    distribution: optional(child(field, 'distribution'), (value) => readChoice(value, ['fixed', 'exponential'] as const), 'fixed')
  };
}

/** `stay: 5s`, `stay: { duration: 5s }`, or `stay: {}` / bare `stay` for "until the run ends". */
function readStay(field: Field): StayStep {
  if (isAbsent(field)) return { kind: 'stay' };
  if (typeof field.value !== 'object') return { kind: 'stay', durationMs: readDurationMs(field) };
  readMap(field, ['duration']);
  const duration = child(field, 'duration');
  return isAbsent(duration) ? { kind: 'stay' } : { kind: 'stay', durationMs: readDurationMs(duration) };
}

function readLoop(field: Field): SessionStep {
  readMap(required(field), ['count', 'steps']);
  return { kind: 'loop', count: readInteger(required(child(field, 'count')), 1), steps: readSteps(child(field, 'steps')) };
}

const STEP_READERS: Readonly<Record<string, (field: Field) => SessionStep>> = {
  connect: readConnect,
  subscribe: readSubscribe,
  publish: readPublish,
  think: readThink,
  stay: readStay,
  disconnect: (field) => {
    readMap(field, []);
    return { kind: 'disconnect' };
  },
  loop: readLoop
};
const STEP_KINDS = Object.keys(STEP_READERS);

function readStep(field: Field): SessionStep {
  const value = field.value;
  const named = typeof value === 'string' ? value : undefined;
  const keys = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : [];
  if (named === undefined && keys.length !== 1) fail(field, `must be one step: a one-key map such as "publish: { qos: 1 }" (steps: ${STEP_KINDS.join(', ')})`);
  const kind = named ?? (keys[0] as string);
  const read = STEP_READERS[kind];
  const stepField: Field = named === undefined ? child(field, kind) : { source: field.source, path: `${field.path}.${kind}`, value: null };
  if (!read) throw scenarioErrors.unknownKey(field.source, stepField.path, STEP_KINDS.join(', '), where(field.source, stepField.path));
  return read(stepField);
}

export function readSteps(field: Field): SessionStep[] {
  return readList(field).map(readStep);
}
