import { Redis } from 'ioredis';
import mqtt, { type MqttClient } from 'mqtt';
import type { AuthResult } from '@plexus/contracts';
import { startTestGateway, type TestGateway } from '@plexus/mqtt-gateway-core/test-support';
import { testEngines } from '@plexus/test-harness';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clusterKeysFor } from './cluster-keys.ts';
import { PlatformPublisher } from './platform-publisher.ts';
import { RedisClusterLink } from './redis-cluster-link.ts';

const device = (tenantId: string, deviceId: string): AuthResult => ({
  result: 'allow',
  principal: { kind: 'device', tenantId, deviceId, deviceType: null, expiresAt: null }
});
const app = (tenantId: string): AuthResult => ({ result: 'allow', principal: { kind: 'app', tenantId, keyId: 'k1', scopes: ['mqtt:subscribe'] } });
const CREDENTIALS = {
  'token-d1': device('acme', 'd-1'),
  'token-d2': device('acme', 'd-2'),
  'key-acme': app('acme'),
  'key-other': app('other')
};

interface Node {
  readonly gateway: TestGateway;
  readonly link: RedisClusterLink;
  readonly connections: Redis[];
}

// A namespace of its own: other test runs' gateway nodes on the same Redis are invisible to these.
const NAMESPACE = `plexus:mqtt:test-${process.pid}-${Date.now().toString(36)}`;
const clusterKeys = clusterKeysFor(NAMESPACE);
const nodes: Node[] = [];
const clients: MqttClient[] = [];
let redis: Redis;

async function startNode(nodeId: string): Promise<Node> {
  const { redisUrl } = testEngines();
  const connections = [new Redis(redisUrl), new Redis(redisUrl)];
  const link = new RedisClusterLink({
    redis: connections[0] as Redis,
    subscriber: connections[1] as Redis,
    nodeId,
    namespace: NAMESPACE,
    timing: { livenessTtlMs: 1_000, heartbeatMs: 200 }
  });
  const gateway = await startTestGateway(CREDENTIALS, { router: link.router, cluster: link });
  await link.start(gateway.context);
  const node = { gateway, link, connections };
  nodes.push(node);
  return node;
}

async function stopNode(node: Node): Promise<void> {
  await node.gateway.close();
  await node.link.stop();
  for (const connection of node.connections) connection.disconnect();
}

async function client(node: Node, clientId: string, password: string): Promise<MqttClient> {
  const connected = await mqtt.connectAsync(node.gateway.url, { clientId, username: clientId, password, protocolVersion: 5, reconnectPeriod: 0 });
  clients.push(connected);
  return connected;
}

/** Collects what a client receives; `next(n)` resolves once n messages have arrived in all. */
function inbox(subject: MqttClient) {
  const received: { topic: string; payload: string }[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  subject.on('message', (topic, payload) => {
    received.push({ topic, payload: payload.toString() });
    for (const waiter of waiters.filter((candidate) => received.length >= candidate.count)) waiter.resolve();
  });
  return {
    received,
    until(count: number, timeoutMs = 5_000): Promise<void> {
      if (received.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`received ${received.length} of ${count}`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      });
    }
  };
}

/** Waits until the node has learnt of `count` filters held elsewhere (directory changes are asynchronous). */
async function remoteFilters(node: Node, count: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (node.link.remoteFilterCount !== count) {
    if (Date.now() > deadline) throw new Error(`node knows ${node.link.remoteFilterCount} remote filters, not ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let a: Node;
let b: Node;

beforeAll(async () => {
  redis = new Redis(testEngines().redisUrl);
  const suffix = Math.random().toString(36).slice(2, 8);
  a = await startNode(`node-a-${suffix}`);
  b = await startNode(`node-b-${suffix}`);
});
afterEach(() => {
  for (const connected of clients.splice(0)) connected.end(true);
});
afterAll(async () => {
  for (const node of nodes) await stopNode(node);
  redis.disconnect();
});

describe('fan-out across gateway nodes', () => {
  it("delivers a device's publish on one node to an app subscribed on another", async () => {
    const dashboard = await client(b, 'dash', 'key-acme');
    const received = inbox(dashboard);
    await dashboard.subscribeAsync('devices/+/telemetry', { qos: 1 });
    await remoteFilters(a, 1);
    const sensor = await client(a, 'd-1', 'token-d1');
    await sensor.publishAsync('devices/d-1/telemetry', '{"t":21}', { qos: 1 });
    await received.until(1);
    expect(received.received).toEqual([{ topic: 'devices/d-1/telemetry', payload: '{"t":21}' }]);
    dashboard.end(true);
    await remoteFilters(a, 0);
  });

  it('sends nothing across Redis that no other node subscribed to', async () => {
    await remoteFilters(a, 0);
    const before = a.link.stats.forwardedOut;
    const sensor = await client(a, 'd-1', 'token-d1');
    for (let index = 0; index < 20; index++) await sensor.publishAsync('devices/d-1/telemetry', String(index), { qos: 1 });
    expect(a.link.stats.forwardedOut).toBe(before);
  });

  it("keeps tenants apart across nodes", async () => {
    const outsider = await client(b, 'spy', 'key-other');
    const received = inbox(outsider);
    await outsider.subscribeAsync('devices/#', { qos: 1 });
    const watcher = await client(b, 'watch', 'key-acme');
    const watched = inbox(watcher);
    await watcher.subscribeAsync('devices/#', { qos: 1 });
    await remoteFilters(a, 2);
    const sensor = await client(a, 'd-1', 'token-d1');
    await sensor.publishAsync('devices/d-1/telemetry', 'x', { qos: 1 });
    await watched.until(1);
    expect(received.received).toEqual([]);
    outsider.end(true);
    watcher.end(true);
    await remoteFilters(a, 0);
  });

  it('gives each message of a shared group to one member cluster-wide, preferring a member on the publishing node', async () => {
    const local = await client(a, 'worker-a', 'key-acme');
    const remote = await client(b, 'worker-b', 'key-acme');
    const localInbox = inbox(local);
    const remoteInbox = inbox(remote);
    await local.subscribeAsync('$share/ingest/devices/+/telemetry', { qos: 1 });
    await remote.subscribeAsync('$share/ingest/devices/+/telemetry', { qos: 1 });
    // A plain subscriber on B makes A forward every message to B: B must not serve the group with it.
    const watcher = await client(b, 'watcher', 'key-acme');
    const watched = inbox(watcher);
    await watcher.subscribeAsync('devices/+/telemetry', { qos: 1 });
    await remoteFilters(a, 2);
    await remoteFilters(b, 1);
    const onA = await client(a, 'd-1', 'token-d1');
    const onB = await client(b, 'd-2', 'token-d2');
    for (let index = 0; index < 10; index++) {
      await onA.publishAsync('devices/d-1/telemetry', `a${index}`, { qos: 1 });
      await onB.publishAsync('devices/d-2/telemetry', `b${index}`, { qos: 1 });
    }
    await localInbox.until(10);
    await remoteInbox.until(10);
    expect(localInbox.received.map((message) => message.payload)).toEqual(Array.from({ length: 10 }, (_, index) => `a${index}`));
    expect(remoteInbox.received.map((message) => message.payload)).toEqual(Array.from({ length: 10 }, (_, index) => `b${index}`));
    await watched.until(20);
    watcher.end(true);
    await remoteFilters(a, 1);

    local.end(true);
    await remoteFilters(b, 0);
    // With no member left on A, A's messages go to the member on B, still once each.
    for (let index = 0; index < 5; index++) await onA.publishAsync('devices/d-1/telemetry', `late${index}`, { qos: 1 });
    await remoteInbox.until(15);
    expect(remoteInbox.received.slice(10).map((message) => message.payload)).toEqual(Array.from({ length: 5 }, (_, index) => `late${index}`));
    remote.end(true);
    await remoteFilters(a, 0);
  });
});

describe('downlink and presence', () => {
  it("routes an app's command on one node to the device connected to another", async () => {
    const actuator = await client(b, 'd-2', 'token-d2');
    const received = inbox(actuator);
    await actuator.subscribeAsync('devices/d-2/commands', { qos: 1 });
    // A device's own subscriptions are not in the directory: presence finds it.
    expect(a.link.remoteFilterCount).toBe(0);
    const operator = await client(a, 'ops', 'key-acme');
    await operator.publishAsync('devices/d-2/commands', '{"open":true}', { qos: 1 });
    await received.until(1);
    expect(received.received).toEqual([{ topic: 'devices/d-2/commands', payload: '{"open":true}' }]);
  });

  it('lets the platform publish to a device wherever it is connected', async () => {
    const actuator = await client(a, 'd-1', 'token-d1');
    const received = inbox(actuator);
    await actuator.subscribeAsync('devices/d-1/shadow/update/delta', { qos: 1 });
    const publisher = new PlatformPublisher(redis, NAMESPACE);
    await publisher.publish('acme', 'devices/d-1/shadow/update/delta', Buffer.from('{"state":{"on":true}}'));
    await received.until(1);
    expect(received.received[0]?.payload).toBe('{"state":{"on":true}}');
    expect(await redis.get(clusterKeys.presence('acme', 'd-1'))).toBe(a.link.nodeId);
  });

  it('takes a session over when its client id connects to another node [MQTT-3.1.4-3]', async () => {
    const first = await client(a, 'd-1', 'token-d1');
    const reason = new Promise<number>((resolve) => first.once('disconnect', (packet) => resolve(packet.reasonCode ?? 0)));
    const second = await client(b, 'd-1', 'token-d1');
    expect(await reason).toBe(0x8e);
    expect(second.connected).toBe(true);
    expect(await redis.get(clusterKeys.presence('acme', 'd-1'))).toBe(b.link.nodeId);
    second.end(true);
  });

  it('forgets presence when the session ends', async () => {
    const sensor = await client(b, 'd-2', 'token-d2');
    expect(await redis.get(clusterKeys.presence('acme', 'd-2'))).toBe(b.link.nodeId);
    const gone = new Promise<void>((resolve) => sensor.once('close', () => resolve()));
    sensor.end(true);
    await gone;
    const deadline = Date.now() + 5_000;
    while ((await redis.get(clusterKeys.presence('acme', 'd-2'))) !== null) {
      if (Date.now() > deadline) throw new Error('presence outlived the session');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });

  it('refuses a platform publish when no gateway node is alive', async () => {
    await expect(new PlatformPublisher(redis, `${NAMESPACE}-empty`).publish('acme', 'devices/d-9/commands', Buffer.from('x'))).rejects.toMatchObject({
      code: 'PLX_CLUSTER_NO_GATEWAY_NODE'
    });
  });
});

describe('membership', () => {
  it("reaps a node that died without leaving, and its filters with it", async () => {
    const ghost = 'ghost-node';
    await redis.multi().set(clusterKeys.nodeAlive(ghost), '1', 'PX', 300).sadd(clusterKeys.nodes, ghost).sadd(clusterKeys.nodeFilters(ghost), 'acme/devices/+/telemetry').exec();
    await redis.publish(clusterKeys.directoryChanges, JSON.stringify({ op: 'add', nodeId: ghost, filter: 'acme/devices/+/telemetry' }));
    await remoteFilters(a, 1);
    // Its liveness key expires; the next heartbeats reap it everywhere.
    await remoteFilters(a, 0);
    await remoteFilters(b, 0);
    expect(await redis.sismember(clusterKeys.nodes, ghost)).toBe(0);
    expect(await redis.exists(clusterKeys.nodeFilters(ghost))).toBe(0);
  });

  it('ignores malformed directory changes and inbox messages', async () => {
    const before = a.link.stats.malformedMessages;
    await redis.publish(clusterKeys.directoryChanges, 'not json');
    await redis.publish(clusterKeys.nodeInbox(a.link.nodeId), Buffer.from([9, 0, 0, 0, 0]));
    const deadline = Date.now() + 5_000;
    while (a.link.stats.malformedMessages === before) {
      if (Date.now() > deadline) throw new Error('malformed inbox message not counted');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const sensor = await client(a, 'd-1', 'token-d1');
    expect(sensor.connected).toBe(true);
  });
});
