import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { createKinesisClient, ensureStream, readStream } from '@plexus/stream';
import { startControlPlaneProcess, testEngines, uniqueDatabaseName, type ControlPlaneProcess } from '@plexus/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './config.ts';
import { startGateway, type RunningGateway } from './start-gateway.ts';

const ADMIN_KEY = `plx_e2e00001_${'B'.repeat(43)}`;
const INTERNAL_TOKEN = 'e2e-internal-token-0123456789abcdefghij';
const STREAM = `telemetry-${Date.now()}`;

let controlPlane: ControlPlaneProcess;
let gateway: RunningGateway;
let deviceToken = '';
let credentialId = '';
let appKey = '';
let registryKey = '';
const clients: MqttClient[] = [];

async function rest<T>(method: string, path: string, key: string, body?: unknown): Promise<T> {
  const response = await fetch(`${controlPlane.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body)
  });
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
  const text = await response.text();
  return (text ? JSON.parse(text) : null) as T;
}

beforeAll(async () => {
  const { mongoUri, redisUrl, kinesisEndpoint } = testEngines();
  await ensureStream(createKinesisClient({ endpoint: kinesisEndpoint }), STREAM, 2);
  controlPlane = await startControlPlaneProcess({
    MONGODB_URI: mongoUri,
    MONGODB_DATABASE: uniqueDatabaseName('gateway_e2e'),
    REDIS_URL: redisUrl,
    PLEXUS_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    PLEXUS_INTERNAL_TOKEN: INTERNAL_TOKEN
  });
  await rest('POST', '/v1/tenants', ADMIN_KEY, { id: 'acme', name: 'Acme' });
  registryKey = (await rest<{ key: string }>('POST', '/v1/tenants/acme/api-keys', ADMIN_KEY, { name: 'ops', scopes: ['registry:write', 'registry:read'] })).key;
  appKey = (await rest<{ key: string }>('POST', '/v1/tenants/acme/api-keys', ADMIN_KEY, { name: 'dashboard', scopes: ['mqtt:subscribe'] })).key;
  const created = await rest<{ credential: { token: string; id: string } }>('POST', '/v1/devices', registryKey, { id: 'thermo-1' });
  deviceToken = created.credential.token;
  credentialId = created.credential.id;

  const config = loadGatewayConfig({
    MQTT_PORT: '0',
    GATEWAY_METRICS_PORT: '0',
    CONTROL_PLANE_URL: controlPlane.url,
    PLEXUS_INTERNAL_TOKEN: INTERNAL_TOKEN,
    REDIS_URL: redisUrl,
    KINESIS_ENDPOINT: kinesisEndpoint,
    KINESIS_STREAM: STREAM
  });
  gateway = await startGateway(config, pino({ level: 'warn' }));
});

afterAll(async () => {
  for (const client of clients) client.end(true);
  await gateway?.stop();
  await controlPlane?.stop();
});

async function connect(clientId: string, password: string, protocolVersion: 4 | 5): Promise<MqttClient> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, { clientId, username: clientId, password, protocolVersion, reconnectPeriod: 0 });
  clients.push(client);
  return client;
}

describe('MQTT gateway end to end', () => {
  it('takes a registered device\'s QoS 1 publish into the stream before PUBACK, and fans it out to the tenant\'s app', async () => {
    const app = await connect('dashboard-1', appKey, 5);
    await app.subscribeAsync('devices/+/telemetry', { qos: 1 });
    const received = new Promise<{ topic: string; payload: string }>((resolve) =>
      app.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() }))
    );

    const device = await connect('thermo-1', deviceToken, 4);
    await device.publishAsync('devices/thermo-1/telemetry', '{"celsius":21.5}', { qos: 1 });

    const stored = await readStream(createKinesisClient({ endpoint: testEngines().kinesisEndpoint }), STREAM);
    expect(stored.records).toHaveLength(1);
    expect(stored.records[0]).toMatchObject({ tenantId: 'acme', deviceId: 'thermo-1', kind: 'telemetry', topic: 'devices/thermo-1/telemetry' });
    expect(Buffer.from(stored.records[0]?.payload ?? []).toString()).toBe('{"celsius":21.5}');
    expect(await received).toEqual({ topic: 'devices/thermo-1/telemetry', payload: '{"celsius":21.5}' });

    await gateway.flushSightings();
    const seen = await rest<{ lastSeen: string | null }>('GET', '/v1/devices/thermo-1', registryKey);
    expect(seen.lastSeen).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));

    const metrics = await (await fetch(`http://127.0.0.1:${gateway.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/plexus_gateway_connections 2/);
    expect(metrics).toMatch(/plexus_gateway_stream_acknowledged_records_total 1/);
  });

  it('refuses a device with a wrong token and drops a live one when its credential is revoked', async () => {
    await expect(
      mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, { clientId: 'thermo-1', username: 'x', password: `${deviceToken}x`, protocolVersion: 5, reconnectPeriod: 0 })
    ).rejects.toMatchObject({ code: 0x86 });

    const device = await connect('thermo-1', deviceToken, 5);
    const dropped = new Promise<number>((resolve) => device.once('disconnect', (packet) => resolve(packet.reasonCode ?? 0)));
    await rest('DELETE', `/v1/devices/thermo-1/credentials/${credentialId}`, registryKey);
    expect(await dropped).toBe(0x98);
    await expect(
      mqtt.connectAsync(`mqtt://127.0.0.1:${gateway.mqttPort}`, { clientId: 'thermo-1', username: 'x', password: deviceToken, protocolVersion: 5, reconnectPeriod: 0 })
    ).rejects.toMatchObject({ code: 0x86 });
  });

  it('answers health and readiness', async () => {
    expect((await fetch(`http://127.0.0.1:${gateway.metricsPort}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${gateway.metricsPort}/nope`)).status).toBe(404);
  });
});
