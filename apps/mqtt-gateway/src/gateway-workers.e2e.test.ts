import { Redis } from 'ioredis';
import mqtt, { type MqttClient } from 'mqtt';
import { Compile } from 'typebox/compile';
import { UsageEvent } from '@plexus/contracts';
import { freePort, type SupervisedChild } from '@plexus/engines';
import { clusterKeysFor } from '@plexus/mqtt-cluster';
import { startAppProcess, testEngines } from '@plexus/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayTestPlatform, type GatewayTestPlatform } from './gateway-test-platform.ts';

// The gateway as `./plexus start` or a host runs it: a primary and two worker processes sharing
// the MQTT port (reusePort), so which worker a connection reaches is the kernel's choice. The
// test finds connections on different workers through presence, which names each client's node.

const WORKERS = 2;
let platform: GatewayTestPlatform;
let gateway: SupervisedChild;
let mqttUrl: string;
let metricsUrl: string;
let redis: Redis;
const clients: MqttClient[] = [];

beforeAll(async () => {
  platform = await startGatewayTestPlatform('gateway_workers');
  redis = new Redis(testEngines().redisUrl);
  const [mqttPort, metricsPort] = [await freePort(), await freePort()];
  mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  metricsUrl = `http://127.0.0.1:${metricsPort}`;
  gateway = await startAppProcess({
    name: 'gateway',
    entry: 'apps/mqtt-gateway/src/main.ts',
    env: { ...platform.gatewayEnv, MQTT_PORT: String(mqttPort), GATEWAY_METRICS_PORT: String(metricsPort), MQTT_WORKERS: String(WORKERS), USAGE_REPORT_INTERVAL_MS: '1000' },
    readyUrl: `${metricsUrl}/readyz`,
    stopGraceMs: 20_000
  });
});

afterAll(async () => {
  for (const client of clients) client.end(true);
  await gateway?.stop();
  redis?.disconnect();
  await platform?.stop();
});

async function connect(clientId: string, password: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(mqttUrl, { clientId, username: clientId, password, protocolVersion: 5, reconnectPeriod: 0 });
  clients.push(client);
  return client;
}

async function nodeOf(clientId: string): Promise<string> {
  const nodeId = await redis.get(clusterKeysFor(platform.clusterNamespace).presence(platform.tenantId, clientId));
  if (nodeId === null) throw new Error(`no presence for ${clientId}`);
  return nodeId;
}

const validUsage = Compile(UsageEvent);

async function usageEvents(): Promise<UsageEvent[]> {
  const records = (await platform.storedRecords()).filter((record) => record.kind === 'usage' && record.tenantId === platform.tenantId);
  return records.map((record) => JSON.parse(Buffer.from(record.payload).toString()) as UsageEvent);
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.split(' ')[1]);
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('MQTT gateway workers', () => {
  it('answers metrics summed over its workers', async () => {
    expect(await metric('plexus_gateway_cluster_nodes')).toBeGreaterThanOrEqual(WORKERS * WORKERS);
  });

  it("stores a device's QoS 1 publish and delivers it to an app subscribed on another worker", async () => {
    const device = await platform.registerDevice('meter-1');
    const meter = await connect('meter-1', device.token);
    const meterNode = await nodeOf('meter-1');

    // The kernel spreads connections by their address pair: a few tries find the other worker.
    let dashboard: MqttClient | undefined;
    for (let attempt = 0; attempt < 40 && !dashboard; attempt++) {
      const candidate = await connect(`dashboard-${attempt}`, platform.appKey);
      if ((await nodeOf(`dashboard-${attempt}`)) !== meterNode) dashboard = candidate;
      else candidate.end(true);
    }
    if (!dashboard) throw new Error('every app connection reached the worker holding the device');

    const received = new Promise<{ topic: string; payload: string }>((resolve) =>
      dashboard.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() }))
    );
    await dashboard.subscribeAsync('devices/+/telemetry', { qos: 1 });
    await until(async () => (await metric('plexus_gateway_cluster_remote_filters')) >= 1, "the device's worker to learn the app's filter");

    await meter.publishAsync('devices/meter-1/telemetry', '{"kwh":12.5}', { qos: 1 });
    const stored = await platform.storedRecords();
    expect(stored.filter((record) => record.deviceId === 'meter-1')).toHaveLength(1);
    expect(await received).toEqual({ topic: 'devices/meter-1/telemetry', payload: '{"kwh":12.5}' });
    expect(await metric('plexus_gateway_cluster_forwarded_out_total')).toBeGreaterThanOrEqual(1);
  });

  it('takes over a session when its client id reconnects through another worker [MQTT-3.1.4-3]', async () => {
    const device = await platform.registerDevice('meter-2');
    let holder = await connect('meter-2', device.token);
    const firstNode = await nodeOf('meter-2');
    // Reconnect until a connection lands on the other worker; the one before it is on the first worker.
    for (let attempt = 0; attempt < 40; attempt++) {
      const takenOver = new Promise<number>((resolve) => holder.once('disconnect', (packet) => resolve(packet.reasonCode ?? 0)));
      const next = await connect('meter-2', device.token);
      expect(await takenOver).toBe(0x8e);
      holder = next;
      if ((await nodeOf('meter-2')) !== firstNode) break;
    }
    expect(await nodeOf('meter-2')).not.toBe(firstNode);
    expect(holder.connected).toBe(true);
  });

  it("appends each worker's usage per tenant to the stream", async () => {
    const total = (events: UsageEvent[], field: 'connects' | 'messagesIn' | 'messagesOut') => events.reduce((sum, event) => sum + event[field], 0);
    // Each worker reports its own share every second: the publish on one, its delivery on the other.
    await until(async () => {
      const events = await usageEvents();
      return total(events, 'messagesIn') >= 1 && total(events, 'messagesOut') >= 1;
    }, 'usage records counting the publish and its delivery');
    const events = await usageEvents();
    expect(events.every((event) => validUsage.Check(event))).toBe(true);
    expect(total(events, 'connects')).toBeGreaterThanOrEqual(2);
    expect(events.every((event) => event.to > event.from)).toBe(true);
  });

  it('resumes a persistent session on another worker, with what was queued while the device was away', async () => {
    const device = await platform.registerDevice('meter-4');
    const operator = await connect('operator', platform.appKey);
    const persistent = { clean: false, properties: { sessionExpiryInterval: 300 } };
    let holder = await mqtt.connectAsync(mqttUrl, { clientId: 'meter-4', username: 'meter-4', password: device.token, protocolVersion: 5, reconnectPeriod: 0, ...persistent });
    clients.push(holder);
    await holder.subscribeAsync('devices/meter-4/commands', { qos: 1 });
    const firstNode = await nodeOf('meter-4');
    for (let attempt = 0; attempt < 40; attempt++) {
      await holder.endAsync();
      await operator.publishAsync('devices/meter-4/commands', `open-${attempt}`, { qos: 1 });
      const next = mqtt.connect(mqttUrl, { clientId: 'meter-4', username: 'meter-4', password: device.token, protocolVersion: 5, reconnectPeriod: 0, ...persistent });
      clients.push(next);
      const delivered = new Promise<string>((resolve) => next.once('message', (_topic, payload) => resolve(payload.toString())));
      const connack = await new Promise<{ sessionPresent: boolean }>((resolve) => next.once('connect', resolve));
      expect(connack.sessionPresent).toBe(true);
      expect(await delivered).toBe(`open-${attempt}`);
      holder = next;
      if ((await nodeOf('meter-4')) !== firstNode) break;
    }
    expect(await nodeOf('meter-4')).not.toBe(firstNode);
  });

  it('keeps retained messages for subscribers on every worker', async () => {
    const operator = await connect('retainer', platform.appKey);
    await operator.publishAsync('devices/meter-5/commands', 'firmware 2.1', { qos: 1, retain: true });
    const publisherNode = await nodeOf('retainer');
    let viewedElsewhere = false;
    for (let index = 0; index < 40 && !viewedElsewhere; index++) {
      const viewer = await connect(`viewer-${index}`, platform.appKey);
      const retained = new Promise<{ payload: string; retain: boolean }>((resolve) =>
        viewer.once('message', (_topic, payload, packet) => resolve({ payload: payload.toString(), retain: packet.retain }))
      );
      await viewer.subscribeAsync('devices/+/commands', { qos: 1 });
      expect(await retained).toEqual({ payload: 'firmware 2.1', retain: true });
      viewedElsewhere = (await nodeOf(`viewer-${index}`)) !== publisherNode;
    }
    expect(viewedElsewhere).toBe(true);
  });

  it('drains on SIGTERM: workers close their sessions and the primary exits cleanly', async () => {
    const device = await platform.registerDevice('meter-3');
    const meter = await connect('meter-3', device.token);
    const closed = new Promise<void>((resolve) => meter.once('close', () => resolve()));
    process.kill(gateway.pid, 'SIGTERM');
    await closed;
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
  });
});
