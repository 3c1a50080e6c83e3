import { parseDeviceTopic, type DeviceTopic, type DeviceTopicKind } from './device-topics.ts';
import { isValidTopicFilter, isValidTopicName } from './topic-rules.ts';

// Who may publish and subscribe where, in the tenant's own tree (the gateway mounts every
// topic under the tenant, so nothing here can reach another tenant). ARCHITECTURE.md:
// a device publishes only under its own id and subscribes only to its own subtree; an app
// subscribes to its tenant's topics and publishes what apps may send to devices.

export type TopicPrincipal = { readonly kind: 'device'; readonly deviceId: string } | { readonly kind: 'app' };

const DEVICE_PUBLISHES: ReadonlySet<DeviceTopicKind> = new Set(['telemetry', 'shadow-update', 'shadow-get', 'job-update']);
/** Apps steer devices: desired state, shadow reads, commands. Telemetry is the device's alone. */
const APP_PUBLISHES: ReadonlySet<DeviceTopicKind> = new Set(['shadow-update', 'shadow-get', 'commands']);

export function mayPublish(principal: TopicPrincipal, topic: string): boolean {
  return isValidTopicName(topic) && mayPublishParsed(principal, parseDeviceTopic(topic));
}

/** mayPublish for a topic the caller has already parsed (the gateway parses each PUBLISH once). */
export function mayPublishParsed(principal: TopicPrincipal, parsed: DeviceTopic | null): boolean {
  if (!parsed) return false;
  if (principal.kind === 'app') return APP_PUBLISHES.has(parsed.kind);
  return parsed.deviceId === principal.deviceId && DEVICE_PUBLISHES.has(parsed.kind);
}

/**
 * A device's filter must name its own id literally in the first two levels, so no wildcard can
 * reach a sibling; an app may subscribe to any valid filter of its tenant's tree.
 */
export function maySubscribe(principal: TopicPrincipal, filter: string): boolean {
  if (!isValidTopicFilter(filter)) return false;
  if (principal.kind === 'app') return true;
  return filter.startsWith(`devices/${principal.deviceId}/`);
}
