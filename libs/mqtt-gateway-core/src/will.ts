import type { AppPrincipal, DevicePrincipal } from '@plexus/contracts';
import { isValidTopicName, mayPublishParsed, parseDeviceTopic } from '@plexus/topics';
import type { GatewayContext } from './gateway-context.ts';
import { ingest } from './ingestion.ts';
import type { WillMessage } from './session.ts';

/**
 * Publishes a will as its client would have: under the client's tenant and access rules, stored
 * when its topic is a stored one, retained when it asks to be [MQTT-3.1.2-8].
 */
export function publishWill(context: GatewayContext, tenantId: string, principal: DevicePrincipal | AppPrincipal, will: WillMessage): void {
  const who = principal.kind === 'device' ? ({ kind: 'device', deviceId: principal.deviceId } as const) : ({ kind: 'app' } as const);
  const parsed = parseDeviceTopic(will.topic);
  if (!isValidTopicName(will.topic) || !mayPublishParsed(who, parsed) || !parsed) return;
  ingest(context, undefined, tenantId, parsed, { topic: will.topic, payload: will.payload, qos: will.qos, retain: will.retain }).catch(() => {
    // The will's publisher is gone; there is nobody left to tell. The stream counts failures.
  });
}
