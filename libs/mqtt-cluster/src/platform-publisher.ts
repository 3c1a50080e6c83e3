import type { Redis } from 'ioredis';
import { parseDeviceTopic } from '@plexus/topics';
import { clusterKeysFor, type ClusterKeys } from './cluster-keys.ts';
import { ClusterErrors } from './errors.ts';
import { encodeInboxMessage } from './inbox-message.ts';

/**
 * How the platform's services (shadow deltas, OTA job notices, commands, alerts) publish to MQTT
 * without holding a connection: the message enters the gateway cluster at the node that holds the
 * addressed device when there is one (no extra hop), at any live node otherwise, and is routed
 * from there like a client's publish. Topics are the tenant's view (`devices/d-1/commands`).
 */
export class PlatformPublisher {
  private readonly redis: Redis;
  private readonly keys: ClusterKeys;
  private nextNode = 0;

  /** `namespace`: the gateways' CLUSTER_NAMESPACE. */
  constructor(redis: Redis, namespace?: string) {
    this.redis = redis;
    this.keys = clusterKeysFor(namespace);
  }

  /** Resolves once a gateway node has the message; throws PLX_CLUSTER_NO_GATEWAY_NODE when none is alive. */
  async publish(tenantId: string, topic: string, payload: Buffer, qos: 0 | 1 | 2 = 1): Promise<void> {
    const nodeId = (await this.holderOfAddressedDevice(tenantId, topic)) ?? (await this.anyLiveNode());
    const frame = encodeInboxMessage({ kind: 'publish', header: { tenantId, topic, qos, retain: false }, payload });
    const receivers = await this.redis.publish(this.keys.nodeInbox(nodeId), frame);
    if (receivers === 0) throw ClusterErrors.noGatewayNode();
  }

  private async holderOfAddressedDevice(tenantId: string, topic: string): Promise<string | null> {
    const device = parseDeviceTopic(topic);
    if (!device) return null;
    const holder = await this.redis.get(this.keys.presence(tenantId, device.deviceId));
    if (holder === null) return null;
    return (await this.redis.exists(this.keys.nodeAlive(holder))) === 1 ? holder : null;
  }

  private async anyLiveNode(): Promise<string> {
    const members = await this.redis.smembers(this.keys.nodes);
    if (members.length > 0) {
      const alive = await this.redis.mget(members.map((member) => this.keys.nodeAlive(member)));
      const live = members.filter((_, index) => alive[index] !== null);
      if (live.length > 0) return live[this.nextNode++ % live.length] as string;
    }
    throw ClusterErrors.noGatewayNode();
  }
}
