import type { AlertEvent } from '@plexus/contracts';

/**
 * Where alert events go live over MQTT. The data plane implements it with the gateway cluster's
 * PlatformPublisher: `publish(event.alert.tenantId, alertTopic(event), encodeAlertEvent(event), 1)`.
 * The topic is in the tenant's tree, so an app of that tenant subscribes to `alerts/#`,
 * `alerts/{ruleId}/+` or `alerts/+/{deviceId}`; devices may not subscribe outside their own subtree.
 */
export interface AlertPublisher {
  publish(event: AlertEvent): Promise<void>;
}

/** `alerts/{ruleId}/{deviceId}`; rule and device ids hold no `/`, `+` or `#`. */
export function alertTopic(event: AlertEvent): string {
  return `alerts/${event.alert.ruleId}/${event.alert.deviceId}`;
}

/** The MQTT payload and the webhook body: the AlertEvent as JSON. */
export function encodeAlertEvent(event: AlertEvent): Buffer {
  return Buffer.from(JSON.stringify(event));
}
