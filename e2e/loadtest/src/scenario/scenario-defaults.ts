import type { Thresholds } from '../contracts/scenario.ts';

// What a scenario gets for whatever it leaves out, in one place for YAML files and Tsung imports.

/** A device's own telemetry topic: the gateway's ACL lets it publish there and subscribe to it. */
export const DEVICE_TELEMETRY_TOPIC = 'devices/{deviceId}/telemetry';

export const CONNECT_DEFAULTS = {
  protocolVersion: 4,
  cleanStart: true,
  keepaliveSec: 60,
  sessionExpirySec: 0
} as const;

export const PUBLISH_DEFAULTS = {
  topic: DEVICE_TELEMETRY_TOPIC,
  qos: 1,
  retain: false,
  stamped: true,
  payloadBytes: 64
} as const;

/** How a stamped payload begins: receivers read the send time from there (agent/message-payloads.ts). */
export const STAMPED_TEMPLATE_START = '{"ts":{timestamp}';

export const SUBSCRIBE_DEFAULTS = { filter: DEVICE_TELEMETRY_TOPIC, qos: 1 } as const;

/** The platform promises that nothing acknowledged is lost and nothing errors. */
export const THRESHOLD_DEFAULTS: Thresholds = { maxLost: 0, maxErrorRatio: 0, storeWaitMs: 60_000 };
