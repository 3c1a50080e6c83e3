import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayTestPlatform, type GatewayTestPlatform } from './gateway-test-platform.ts';

let platform: GatewayTestPlatform;
let device = { token: '', id: '' };
const clients: MqttClient[] = [];

beforeAll(async () => {
  platform = await startGatewayTestPlatform('gateway_e2e');
  device = await platform.registerDevice('thermo-1');
});

afterAll(async () => {
  for (const client of clients) client.end(true);
  await platform?.stop();
});

async function connect(clientId: string, password: string, protocolVersion: 4 | 5): Promise<MqttClient> {
  const client = await mqtt.connectAsync(platform.mqttUrl, { clientId, username: clientId, password, protocolVersion, reconnectPeriod: 0 });
  clients.push(client);
  return client;
}

describe('MQTT gateway end to end', () => {
  it('takes a registered device\'s QoS 1 publish into the stream before PUBACK, and fans it out to the tenant\'s app', async () => {
    const app = await connect('dashboard-1', platform.appKey, 5);
    await app.subscribeAsync('devices/+/telemetry', { qos: 1 });
    const received = new Promise<{ topic: string; payload: string }>((resolve) =>
      app.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() }))
    );

    const thermo = await connect('thermo-1', device.token, 4);
    await thermo.publishAsync('devices/thermo-1/telemetry', '{"celsius":21.5}', { qos: 1 });

    const stored = await platform.storedRecords();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ tenantId: platform.tenantId, deviceId: 'thermo-1', kind: 'telemetry', topic: 'devices/thermo-1/telemetry' });
    expect(Buffer.from(stored[0]?.payload ?? []).toString()).toBe('{"celsius":21.5}');
    expect(await received).toEqual({ topic: 'devices/thermo-1/telemetry', payload: '{"celsius":21.5}' });

    await platform.gateway.flushSightings();
    const seen = await platform.rest<{ lastSeen: string | null }>('GET', '/v1/devices/thermo-1', platform.registryKey);
    expect(seen.lastSeen).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));

    const metrics = await (await fetch(`http://127.0.0.1:${platform.gateway.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/plexus_gateway_connections 2/);
    expect(metrics).toMatch(/plexus_gateway_stream_acknowledged_records_total 1/);
    expect(metrics).toMatch(/plexus_gateway_connects_total\{result="accepted"\} 2/);
    expect(metrics).toMatch(/plexus_gateway_publishes_in_total\{qos="1"\} 1/);
    expect(metrics).toMatch(/plexus_gateway_acks_total 1/);
    expect(metrics).toMatch(/plexus_gateway_ack_latency_seconds_count 1/);
  });

  it('refuses a device with a wrong token and drops a live one when its credential is revoked', async () => {
    await expect(
      mqtt.connectAsync(platform.mqttUrl, { clientId: 'thermo-1', username: 'x', password: `${device.token}x`, protocolVersion: 5, reconnectPeriod: 0 })
    ).rejects.toMatchObject({ code: 0x86 });
    const metrics = await (await fetch(`http://127.0.0.1:${platform.gateway.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/plexus_gateway_auth_failures_total 1/);
    expect(metrics).toMatch(/plexus_gateway_connects_refused_total\{reason="bad_user_name_or_password"\} 1/);

    const thermo = await connect('thermo-1', device.token, 5);
    const dropped = new Promise<number>((resolve) => thermo.once('disconnect', (packet) => resolve(packet.reasonCode ?? 0)));
    await platform.rest('DELETE', `/v1/devices/thermo-1/credentials/${device.id}`, platform.registryKey);
    expect(await dropped).toBe(0x98);
    await expect(
      mqtt.connectAsync(platform.mqttUrl, { clientId: 'thermo-1', username: 'x', password: device.token, protocolVersion: 5, reconnectPeriod: 0 })
    ).rejects.toMatchObject({ code: 0x86 });
  });

  it('answers health and readiness', async () => {
    expect((await fetch(`http://127.0.0.1:${platform.gateway.metricsPort}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${platform.gateway.metricsPort}/nope`)).status).toBe(404);
  });
});
