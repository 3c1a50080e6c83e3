import type { ConnectStep, PayloadSpec, PublishStep, SessionStep, SubscribeStep } from '../contracts/scenario.ts';
import { DEVICE_TELEMETRY_TOPIC, STAMPED_TEMPLATE_START } from './scenario-defaults.ts';
import type { TsungImportLog } from './tsung-import-log.ts';
import type { XmlElement } from './tsung-xml.ts';

// One Tsung <session type="ts_mqtt"> onto SessionSteps. Defaults are the MQTT plugin's own
// (ts_config_mqtt.erl: clean_start true, keepalive 10 s, qos 0, retained false, stamped false),
// so an imported file does what Tsung would have done, not what a YAML file leaves out.

const TSUNG_KEEPALIVE_SEC = 10;
const TSUNG_WAIT_TIMEOUT_SEC = 1;
const MAX_KEEPALIVE_SEC = 65_535;
const MAX_PAYLOAD_BYTES = 262_144;
const DYNVAR = /%%([^%]+)%%/g;
const HAS_DYNVAR = /%%[^%]+%%/;

interface Context {
  readonly log: TsungImportLog;
  /** `<request subst="true">`: Tsung replaces %%dynvars%% only in such requests. */
  readonly substitute: boolean;
}

function flag(element: XmlElement, attribute: string, fallback: boolean): boolean {
  const raw = element.attributes[attribute];
  return raw === undefined ? fallback : raw === 'true';
}

/** A non-negative number written in an attribute, else undefined (absent, empty, a dynvar…). */
function numberIn(raw: string | undefined): number | undefined {
  const value = Number(raw);
  return raw !== undefined && raw.trim() !== '' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** `%%_tsung_userid%%` is the device; other dynvars have no counterpart and are listed. */
function substitute(text: string, where: string, what: string, context: Context): string {
  if (!context.substitute) {
    if (HAS_DYNVAR.test(text)) context.log.notes.push(`${where}: ${what} is sent literally, %%…%% included, since the request has no subst="true" (as in Tsung)`);
    return text;
  }
  return text.replace(DYNVAR, (match, name: string) => {
    if (name === '_tsung_userid') return '{deviceId}';
    context.log.unsupported.push(`${where}: ${match} in ${what} has no counterpart and is sent literally (only %%_tsung_userid%% maps, to {deviceId})`);
    return match;
  });
}

function checkDeviceTree(topic: string, where: string, context: Context): void {
  if (!topic.startsWith('devices/{deviceId}/')) {
    context.log.notes.push(`${where}: "${topic}" is outside the device's own tree (devices/{deviceId}/…), so the gateway's ACL will refuse it`);
  }
}

function qosOf(mqtt: XmlElement, attribute: string, context: Context): 0 | 1 {
  const qos = mqtt.attributes[attribute] ?? '0';
  if (qos === '0' || qos === '1') return qos === '1' ? 1 : 0;
  context.log.unsupported.push(`${mqtt.path}: ${attribute}="${qos}" is not supported; sent at QoS 1 (the gateway acknowledges QoS 1)`);
  return 1;
}

function connect(mqtt: XmlElement, context: Context): ConnectStep {
  const written = mqtt.attributes['keepalive'];
  const keepalive = written === undefined ? TSUNG_KEEPALIVE_SEC : numberIn(written);
  const keepaliveSec = keepalive === undefined ? TSUNG_KEEPALIVE_SEC : Math.min(Math.round(keepalive), MAX_KEEPALIVE_SEC);
  if (keepaliveSec !== keepalive) {
    context.log.notes.push(`${mqtt.path}: keepalive="${written}" is sent as ${keepaliveSec} s (MQTT counts whole seconds, at most ${MAX_KEEPALIVE_SEC})`);
  }
  if (mqtt.attributes['username'] !== undefined || mqtt.attributes['password'] !== undefined) {
    context.log.notes.push(`${mqtt.path}: username/password are not sent; each device connects with the credentials provisioned for it`);
  }
  if (mqtt.attributes['client_id'] !== undefined) {
    context.log.notes.push(`${mqtt.path}: client_id is not sent; each device connects as its provisioned device id`);
  }
  const step: ConnectStep = { kind: 'connect', protocolVersion: 4, cleanStart: flag(mqtt, 'clean_start', true), keepaliveSec, sessionExpirySec: 0 };
  const willTopic = mqtt.attributes['will_topic'] ?? '';
  if (willTopic === '') return step;
  const willQos = mqtt.attributes['will_qos'] ?? '0';
  return {
    ...step,
    will: {
      topic: substitute(willTopic, mqtt.path, 'will_topic', context),
      payload: substitute(mqtt.attributes['will_msg'] ?? '', mqtt.path, 'will_msg', context),
      qos: willQos === '2' ? 2 : willQos === '1' ? 1 : 0,
      retain: flag(mqtt, 'will_retain', false)
    }
  };
}

/** `size` (not in Tsung's DTD, accepted for files written for the load suite): filler of that many bytes. */
function payloadSize(mqtt: XmlElement, context: Context): number | undefined {
  const written = mqtt.attributes['size'];
  if (written === undefined) return undefined;
  const bytes = numberIn(written);
  if (bytes === undefined || !Number.isInteger(bytes) || bytes > MAX_PAYLOAD_BYTES) {
    context.log.unsupported.push(`${mqtt.path}: size="${written}" is not a byte count up to ${MAX_PAYLOAD_BYTES}; ignored`);
    return undefined;
  }
  if (mqtt.text !== '') context.log.notes.push(`${mqtt.path}: has both size and payload text; the text is sent`);
  return bytes;
}

function publish(mqtt: XmlElement, context: Context): PublishStep {
  let topic = substitute(mqtt.attributes['topic'] ?? '', mqtt.path, 'topic', context);
  if (topic === '') {
    context.log.notes.push(`${mqtt.path}: no topic; publishes to ${DEVICE_TELEMETRY_TOPIC}`);
    topic = DEVICE_TELEMETRY_TOPIC;
  }
  checkDeviceTree(topic, mqtt.path, context);
  const bytes = payloadSize(mqtt, context);
  const stamped = flag(mqtt, 'stamped', false);
  return {
    kind: 'publish',
    topic,
    qos: qosOf(mqtt, 'qos', context),
    retain: flag(mqtt, 'retained', false),
    payload: bytes !== undefined && mqtt.text === '' ? { kind: 'size', bytes } : textPayload(mqtt, stamped, context),
    stamped
  };
}

/** Tsung puts its stamp ahead of the payload; here the stamp leads and the text follows in it. */
function textPayload(mqtt: XmlElement, stamped: boolean, context: Context): PayloadSpec {
  const text = substitute(mqtt.text, mqtt.path, 'the payload', context);
  if (!stamped) return { kind: 'template', template: text };
  context.log.notes.push(`${mqtt.path}: stamped, so the payload is sent as ${STAMPED_TEMPLATE_START},"seq":{seq},"payload":<the text as a JSON string>}`);
  return { kind: 'template', template: `${STAMPED_TEMPLATE_START},"seq":{seq},"payload":${JSON.stringify(text)}}` };
}

function subscribe(mqtt: XmlElement, context: Context): SubscribeStep {
  const filter = substitute(mqtt.attributes['topic'] ?? '', mqtt.path, 'topic', context) || DEVICE_TELEMETRY_TOPIC;
  checkDeviceTree(filter, mqtt.path, context);
  return { kind: 'subscribe', filter, qos: qosOf(mqtt, 'qos', context) };
}

function mqttRequest(mqtt: XmlElement, context: Context): SessionStep[] {
  const type = mqtt.attributes['type'] ?? '';
  switch (type) {
    case 'connect':
      return [connect(mqtt, context)];
    case 'publish':
      return [publish(mqtt, context)];
    case 'subscribe':
      return [subscribe(mqtt, context)];
    case 'disconnect':
      return [{ kind: 'disconnect' }];
    case 'waitForMessages': {
      // Tsung waits `timeout` seconds for messages pushed to the client: staying connected.
      const timeout = numberIn(mqtt.attributes['timeout']) ?? TSUNG_WAIT_TIMEOUT_SEC;
      return [{ kind: 'stay', durationMs: Math.round(timeout * 1000) }];
    }
    default:
      context.log.unsupported.push(`${mqtt.path}: <mqtt type="${type}"> is not supported; skipped`);
      return [];
  }
}

function request(element: XmlElement, log: TsungImportLog): SessionStep[] {
  const context: Context = { log, substitute: element.attributes['subst'] === 'true' };
  const steps: SessionStep[] = [];
  for (const child of element.children) {
    if (child.name === 'mqtt') steps.push(...mqttRequest(child, context));
    else log.unsupported.push(`${child.path}: <${child.name}> is not supported; the request is sent without it`);
  }
  return steps;
}

function thinktime(element: XmlElement, log: TsungImportLog): SessionStep[] {
  const { value, min, max } = element.attributes;
  const random = element.attributes['random'] === 'true';
  if (value === undefined && min !== undefined && max !== undefined && random) {
    const meanSec = (Number(min) + Number(max)) / 2;
    if (Number.isFinite(meanSec)) {
      log.unsupported.push(`${element.path}: a uniform think time from ${min} to ${max} s is run as a fixed ${meanSec} s`);
      return [{ kind: 'think', meanMs: Math.round(meanSec * 1000), distribution: 'fixed' }];
    }
  }
  const sec = numberIn(value);
  if (sec === undefined) {
    log.unsupported.push(`${element.path}: thinktime value="${value ?? ''}" is not a number of seconds; skipped`);
    return [];
  }
  // Tsung's random think time is exponential around `value`.
  return [{ kind: 'think', meanMs: Math.round(sec * 1000), distribution: random ? 'exponential' : 'fixed' }];
}

function forLoop(element: XmlElement, log: TsungImportLog): SessionStep[] {
  const from = Number(element.attributes['from']);
  const to = Number(element.attributes['to']);
  const increment = Number(element.attributes['incr'] ?? '1');
  const steps = sessionSteps(element.children, log);
  if (![from, to, increment].every(Number.isInteger) || increment <= 0) {
    log.unsupported.push(`${element.path}: from/to/incr are not integers (dynamic bounds are not supported); the body runs once`);
    return steps;
  }
  const count = Math.floor((to - from) / increment) + 1;
  if (count < 1) {
    log.notes.push(`${element.path}: from ${from} to ${to} runs no iteration; skipped`);
    return [];
  }
  return steps.length === 0 ? [] : [{ kind: 'loop', count, steps }];
}

export function sessionSteps(elements: readonly XmlElement[], log: TsungImportLog): SessionStep[] {
  const steps: SessionStep[] = [];
  for (const element of elements) {
    if (element.name === 'request') steps.push(...request(element, log));
    else if (element.name === 'thinktime') steps.push(...thinktime(element, log));
    else if (element.name === 'for') steps.push(...forLoop(element, log));
    else if (element.name === 'transaction') {
      log.unsupported.push(`${element.path}: transactions are not timed separately; its requests run in place`);
      steps.push(...sessionSteps(element.children, log));
    } else log.unsupported.push(`${element.path}: <${element.name}> is not supported; skipped`);
  }
  return steps;
}
