import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { deliverMatched, handOverSession, route, type ClusterLink, type ForwardedMessage, type GatewayContext } from '@plexus/mqtt-gateway-core';
import { parseDeviceTopic } from '@plexus/topics';
import { clusterKeysFor, type ClusterKeys } from './cluster-keys.ts';
import { ClusteredSubscriptionTable } from './clustered-subscription-table.ts';
import { FilterDirectory } from './filter-directory.ts';
import { decodeInboxMessage, encodeInboxMessage, type InboxMessage } from './inbox-message.ts';
import { DEFAULT_MEMBERSHIP_TIMING, NodeMembership, type MembershipTiming } from './node-membership.ts';
import { Presence } from './presence.ts';

export interface RedisClusterOptions {
  /** Commands; shared with nothing that blocks. */
  readonly redis: Redis;
  /** A connection of its own: in subscribe mode it can do nothing else. */
  readonly subscriber: Redis;
  readonly nodeId?: string;
  /** CLUSTER_NAMESPACE: nodes see only nodes of their namespace. */
  readonly namespace?: string;
  readonly timing?: MembershipTiming;
  /** How long a presence entry lives unless renewed; renewed every third of it. */
  readonly presenceTtlMs?: number;
  /** How long a takeover waits for the other node to release the client id. */
  readonly takeoverTimeoutMs?: number;
  readonly onError?: (error: unknown, what: string) => void;
}

export interface ClusterStats {
  forwardedOut: number;
  forwardedIn: number;
  platformPublishesIn: number;
  takeoversRequested: number;
  takeoversServed: number;
  takeoverTimeouts: number;
  malformedMessages: number;
}

const DEFAULT_PRESENCE_TTL_MS = 300_000;
const DEFAULT_TAKEOVER_TIMEOUT_MS = 3_000;
/** Kinds of device topic a device never publishes itself: they come from apps or the platform, so the device may be elsewhere. */
const INBOUND_DEVICE_KINDS: ReadonlySet<string> = new Set([
  'shadow-update',
  'shadow-get',
  'shadow-update-accepted',
  'shadow-update-rejected',
  'shadow-delta',
  'shadow-get-accepted',
  'shadow-get-rejected',
  'jobs-notify',
  'commands'
]);

/** `{tenant}/devices/{id}/telemetry[/{stream}]`: a device's own publish, never addressed to a device elsewhere. */
const TELEMETRY_TOPIC = /^[^/]+\/devices\/[^/]+\/telemetry(\/[^/]+)?$/;

export function newNodeId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * The gateway cluster over Redis: membership, the filter directory, presence, takeover across
 * nodes, and message forwarding through one inbox channel per node. Build it, give `router` and
 * the link to the GatewayContext, then `start(context)`.
 */
export class RedisClusterLink implements ClusterLink {
  readonly nodeId: string;
  readonly router: ClusteredSubscriptionTable;
  readonly stats: ClusterStats = { forwardedOut: 0, forwardedIn: 0, platformPublishesIn: 0, takeoversRequested: 0, takeoversServed: 0, takeoverTimeouts: 0, malformedMessages: 0 };
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly keys: ClusterKeys;
  private readonly directory: FilterDirectory;
  private readonly membership: NodeMembership;
  private readonly presence: Presence;
  private readonly presenceTtlMs: number;
  private readonly takeoverTimeoutMs: number;
  private readonly onError: (error: unknown, what: string) => void;
  private readonly pendingTakeovers = new Map<string, () => void>();
  private context: GatewayContext | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private takeoverCounter = 0;

  constructor(options: RedisClusterOptions) {
    this.nodeId = options.nodeId ?? newNodeId();
    this.redis = options.redis;
    this.subscriber = options.subscriber;
    this.keys = clusterKeysFor(options.namespace);
    this.presenceTtlMs = options.presenceTtlMs ?? DEFAULT_PRESENCE_TTL_MS;
    this.takeoverTimeoutMs = options.takeoverTimeoutMs ?? DEFAULT_TAKEOVER_TIMEOUT_MS;
    this.onError = options.onError ?? (() => {});
    this.directory = new FilterDirectory(this.redis, this.keys, this.nodeId);
    this.router = new ClusteredSubscriptionTable(this.directory);
    this.membership = new NodeMembership(this.redis, this.keys, this.nodeId, (nodeId) => this.directory.forgetNode(nodeId), options.timing ?? DEFAULT_MEMBERSHIP_TIMING);
    this.presence = new Presence(this.redis, this.keys, this.nodeId, this.presenceTtlMs);
  }

  get remoteFilterCount(): number {
    return this.directory.remoteFilterCount;
  }

  get liveNodeCount(): number {
    return this.membership.liveNodes.size;
  }

  async start(context: GatewayContext): Promise<void> {
    this.context = context;
    this.subscriber.on('messageBuffer', this.onChannelMessage);
    await this.subscriber.subscribe(this.keys.directoryChanges, this.keys.nodeInbox(this.nodeId));
    await this.membership.join();
    await this.directory.load(this.membership.liveNodes);
    // After a Redis outage the changes published meanwhile are lost: reload and re-announce.
    this.subscriber.on('ready', this.onResubscribed);
    this.renewTimer = setInterval(() => {
      this.presence.renew(this.localClientIds()).catch((error: unknown) => this.onError(error, 'renewing presence'));
    }, this.presenceTtlMs / 3);
    this.renewTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.subscriber.off('messageBuffer', this.onChannelMessage);
    this.subscriber.off('ready', this.onResubscribed);
    await this.subscriber.unsubscribe(this.keys.directoryChanges, this.keys.nodeInbox(this.nodeId));
    await this.membership.leave();
  }

  async claimClientId(tenantId: string, clientId: string): Promise<void> {
    const holder = await this.presence.claim(tenantId, clientId);
    if (holder === null || !(await this.membership.isLive(holder))) return;
    this.stats.takeoversRequested++;
    const requestId = `${this.nodeId}.${++this.takeoverCounter}`;
    const released = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.pendingTakeovers.delete(requestId);
        resolve(false);
      }, this.takeoverTimeoutMs);
      this.pendingTakeovers.set(requestId, () => {
        clearTimeout(timer);
        this.pendingTakeovers.delete(requestId);
        resolve(true);
      });
    });
    await this.send(holder, { kind: 'takeover', header: { tenantId, clientId, requestId, replyTo: this.nodeId } });
    // A node that does not answer is dying: its liveness key expires and its session with it.
    if (!(await released)) this.stats.takeoverTimeouts++;
  }

  releaseClientId(tenantId: string, clientId: string): void {
    this.presence.release(tenantId, clientId).catch((error: unknown) => this.onError(error, 'releasing presence'));
  }

  forward(message: ForwardedMessage): void {
    const targets = new Map<string, string[]>();
    const remote = this.directory.matchRemote(message.mountedTopic);
    let servedHere: Set<string> | null = null;
    for (const delivery of remote) {
      let shares = targets.get(delivery.subscriber);
      if (!shares) targets.set(delivery.subscriber, (shares = []));
      if (delivery.shareName === null) continue;
      // One copy per shared group cluster-wide: a group with a member here was served by the local route.
      servedHere ??= this.directory.localSharedGroups(message.mountedTopic);
      if (servedHere.has(delivery.shareName)) {
        if (shares.length === 0 && !remote.some((other) => other.subscriber === delivery.subscriber && other.shareName === null)) targets.delete(delivery.subscriber);
      } else shares.push(delivery.shareName);
    }
    const device = this.inboundDevice(message.mountedTopic);
    if (device === null) {
      this.sendForwards(message, targets);
      return;
    }
    // Messages for a device go to wherever it is connected, with whatever else that node wants.
    this.presence.holderOf(device.tenantId, device.deviceId).then(
      (holder) => {
        if (holder !== null && holder !== this.nodeId && !targets.has(holder)) targets.set(holder, []);
        this.sendForwards(message, targets);
      },
      (error: unknown) => this.onError(error, 'looking up presence')
    );
  }

  private inboundDevice(mountedTopic: string): { tenantId: string; deviceId: string } | null {
    // Every telemetry publish comes through here: its topic is told apart without parsing it.
    if (TELEMETRY_TOPIC.test(mountedTopic)) return null;
    const slash = mountedTopic.indexOf('/');
    const tenantId = mountedTopic.slice(0, slash);
    const parsed = parseDeviceTopic(mountedTopic.slice(slash + 1));
    if (!parsed || !INBOUND_DEVICE_KINDS.has(parsed.kind)) return null;
    if (this.context?.sessions.find(tenantId, parsed.deviceId)) return null;
    return { tenantId, deviceId: parsed.deviceId };
  }

  private sendForwards(message: ForwardedMessage, targets: Map<string, string[]>): void {
    for (const [nodeId, shares] of targets) {
      if (nodeId === this.nodeId) continue;
      this.stats.forwardedOut++;
      this.send(nodeId, {
        kind: 'forward',
        header: { mountedTopic: message.mountedTopic, qos: message.qos, retain: message.retain, shares },
        payload: message.payload
      }).catch((error: unknown) => this.onError(error, 'forwarding'));
    }
  }

  private async send(nodeId: string, message: InboxMessage): Promise<void> {
    await this.redis.publish(this.keys.nodeInbox(nodeId), encodeInboxMessage(message));
  }

  private *localClientIds(): Iterable<{ tenantId: string; clientId: string }> {
    if (!this.context) return;
    for (const session of this.context.sessions.all()) yield { tenantId: session.tenantId, clientId: session.clientId };
    for (const detached of this.context.detachedSessions.all()) yield { tenantId: detached.tenantId, clientId: detached.clientId };
  }

  private readonly onResubscribed = () => {
    this.directory
      .load(this.membership.liveNodes)
      .then(() => this.directory.republish())
      .catch((error: unknown) => this.onError(error, 'resynchronising the filter directory'));
  };

  private readonly onChannelMessage = (channel: Buffer, frame: Buffer) => {
    const name = channel.toString();
    if (name === this.keys.directoryChanges) {
      this.directory.applyChange(frame.toString('utf8'));
      return;
    }
    if (name !== this.keys.nodeInbox(this.nodeId)) return;
    let message: InboxMessage;
    try {
      message = decodeInboxMessage(frame);
    } catch (error) {
      this.stats.malformedMessages++;
      this.onError(error, 'decoding an inbox message');
      return;
    }
    this.receive(message);
  };

  private receive(message: InboxMessage): void {
    const context = this.context;
    if (!context) return;
    switch (message.kind) {
      case 'forward':
        this.stats.forwardedIn++;
        deliverForwarded(context, { mountedTopic: message.header.mountedTopic, payload: message.payload, qos: message.header.qos, retain: message.header.retain }, message.header.shares);
        return;
      case 'publish':
        this.stats.platformPublishesIn++;
        // The platform's message enters the cluster here and is routed like a client's publish.
        route(context, undefined, message.header.tenantId, { topic: message.header.topic, payload: message.payload, qos: message.header.qos, retain: false });
        return;
      case 'takeover': {
        this.stats.takeoversServed++;
        const { tenantId, clientId, requestId, replyTo } = message.header;
        handOverSession(context, tenantId, clientId)
          .then(() => this.send(replyTo, { kind: 'released', header: { requestId } }))
          .catch((error: unknown) => this.onError(error, 'answering a takeover'));
        return;
      }
      case 'released':
        this.pendingTakeovers.get(message.header.requestId)?.();
        return;
    }
  }
}

/** Delivers another node's message to this node's matching subscribers, serving only the shared groups it names. */
function deliverForwarded(context: GatewayContext, message: ForwardedMessage, shares: readonly string[]): void {
  for (const delivery of context.router.match(message.mountedTopic)) {
    if (delivery.shareName !== null && !shares.includes(delivery.shareName)) continue;
    deliverMatched(context, delivery, message);
  }
}
