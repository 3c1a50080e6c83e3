import type { ShadowDeltaMessage, ShadowDocumentBody, ShadowRejection } from '@plexus/contracts';
import type { DeviceShadow, ShadowChange, ShadowStore } from '@plexus/telemetry-store';
import { deviceTopics } from '@plexus/topics';

/** Publishes to a device's topics wherever it is connected (the gateway cluster's PlatformPublisher). */
export interface DeviceMessenger {
  publish(tenantId: string, topic: string, payload: Buffer, qos?: 0 | 1 | 2): Promise<void>;
}

export function shadowDocument(shadow: DeviceShadow, clientToken?: string): ShadowDocumentBody {
  return {
    deviceId: shadow.deviceId,
    state: { desired: shadow.desired, reported: shadow.reported, delta: shadow.delta },
    metadata: { desired: shadow.metadata.desired, reported: shadow.metadata.reported },
    version: shadow.version,
    timestamp: shadow.updatedAt,
    ...(clientToken === undefined ? {} : { clientToken })
  };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/**
 * Device shadows as devices and apps see them: an update lands in the store (check-and-set on
 * version), is answered on `…/update/accepted`, and when desired and reported differ the device
 * gets the delta on `…/update/delta`. The REST API and the MQTT topics go through here alike.
 */
export class ShadowService {
  private readonly store: ShadowStore;
  private readonly messenger: DeviceMessenger;
  private readonly onNotifyError: (error: unknown) => void;
  /** Answers and deltas that could not be published (no gateway node up, say). */
  notifyFailures = 0;

  constructor(store: ShadowStore, messenger: DeviceMessenger, onNotifyError: (error: unknown) => void = () => {}) {
    this.store = store;
    this.messenger = messenger;
    this.onNotifyError = onNotifyError;
  }

  /**
   * The stored shadow is the truth and a device can always ask for it (`…/shadow/get`), so a
   * message that cannot be published is counted and logged, never allowed to fail the update or
   * stall the stream behind it.
   */
  private async notify(tenantId: string, topic: string, body: unknown): Promise<void> {
    try {
      await this.messenger.publish(tenantId, topic, json(body));
    } catch (error) {
      this.notifyFailures++;
      this.onNotifyError(error);
    }
  }

  get(tenantId: string, deviceId: string): Promise<DeviceShadow | null> {
    return this.store.get(tenantId, deviceId);
  }

  /** Applies the change and tells the device; throws PLX_SHADOW_VERSION_CONFLICT on a version mismatch. */
  async update(tenantId: string, deviceId: string, change: ShadowChange, at: number, expectedVersion?: number, clientToken?: string): Promise<DeviceShadow> {
    const before = await this.store.get(tenantId, deviceId);
    const shadow = await this.store.update(tenantId, deviceId, change, at, expectedVersion);
    await this.notify(tenantId, deviceTopics.shadowUpdateAccepted(deviceId), shadowDocument(shadow, clientToken));
    // The delta goes out when the update changed the shadow and something is still asked for.
    if (shadow.version !== before?.version && Object.keys(shadow.delta).length > 0) {
      const delta: ShadowDeltaMessage = { state: shadow.delta, version: shadow.version, timestamp: shadow.updatedAt };
      await this.notify(tenantId, deviceTopics.shadowDelta(deviceId), delta);
    }
    return shadow;
  }

  async reject(tenantId: string, deviceId: string, topic: string, rejection: ShadowRejection): Promise<void> {
    await this.notify(tenantId, topic, rejection);
  }

  async answerGet(tenantId: string, deviceId: string, clientToken?: string): Promise<void> {
    const shadow = await this.store.get(tenantId, deviceId);
    if (shadow) await this.notify(tenantId, deviceTopics.shadowGetAccepted(deviceId), shadowDocument(shadow, clientToken));
    else {
      const rejection: ShadowRejection = { code: 'PLX_SHADOW_NOT_FOUND', message: `device '${deviceId}' has no shadow yet`, ...(clientToken === undefined ? {} : { clientToken }) };
      await this.notify(tenantId, deviceTopics.shadowGetRejected(deviceId), rejection);
    }
  }
}
