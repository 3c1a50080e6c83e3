import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDataPlaneTestPlatform, type DataPlaneTestPlatform } from './data-plane-test-platform.ts';

// Device → MQTT gateway → Kinesis → data plane consumer → store → REST, and back to the device
// over MQTT for shadow deltas and alerts: every piece a real process on real engines.

interface Point {
  messageId: string;
  at: number;
  fields: Record<string, number>;
  payload?: unknown;
}
interface Aggregate {
  min: number;
  max: number;
  avg: number;
  sum: number;
  count: number;
  last: number;
}
interface TelemetryPage {
  items: (Point & { start: number; points: number; fields: Record<string, Aggregate> })[];
  nextCursor: string | null;
}

let platform: DataPlaneTestPlatform;

beforeAll(async () => {
  platform = await startDataPlaneTestPlatform('data_plane_e2e');
});
afterAll(async () => {
  await platform?.stop();
});

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function nextMessage(client: MqttClient, topic: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (received: string, payload: Buffer) => {
      if (received !== topic) return;
      client.off('message', onMessage);
      resolve(JSON.parse(payload.toString()));
    };
    client.on('message', onMessage);
  });
}

describe('data plane end to end', () => {
  it('stores what a device publishes over MQTT: points, latest, counts and rollups that match the raw points', async () => {
    const from = Date.now() - 1000;
    const token = await platform.registerDevice('boiler-1');
    const boiler = await platform.connect('boiler-1', token);
    const readings = Array.from({ length: 20 }, (_, index) => 20 + ((index * 7) % 11));
    for (const celsius of readings) await boiler.publishAsync('devices/boiler-1/telemetry', JSON.stringify({ celsius, state: 'on' }), { qos: 1 });

    const range = `from=${from}&to=${Date.now() + 1000}`;
    const page = await eventually(
      async () => (await platform.dataPlane<TelemetryPage>('GET', `/v1/devices/boiler-1/telemetry?${range}`, platform.appKey)).body,
      (body) => body.items?.length === readings.length,
      'the 20 points'
    );
    expect(page.items.map((point) => point.fields['celsius'])).toEqual(readings);
    expect(page.items[0]?.payload).toEqual({ celsius: readings[0], state: 'on' });

    const latest = await platform.dataPlane<Point>('GET', '/v1/devices/boiler-1/telemetry/latest', platform.appKey);
    expect(latest.body.fields).toEqual({ celsius: readings.at(-1) });

    const counts = await platform.dataPlane<{ counts: { deviceId: string; count: number }[] }>('POST', '/v1/telemetry/counts', platform.appKey, {
      deviceIds: ['boiler-1', 'nobody'],
      from: String(from),
      to: new Date(Date.now() + 1000).toISOString()
    });
    expect(counts.body.counts).toEqual([
      { deviceId: 'boiler-1', count: 20 },
      { deviceId: 'nobody', count: 0 }
    ]);

    const rollups = await platform.dataPlane<TelemetryPage>('GET', `/v1/devices/boiler-1/telemetry?${range}&rollup=1m`, platform.appKey);
    const merged = rollups.body.items.reduce(
      (total, bucket) => {
        const field = bucket.fields['celsius'] as Aggregate;
        return { count: total.count + field.count, sum: total.sum + field.sum, min: Math.min(total.min, field.min), max: Math.max(total.max, field.max), last: field.last };
      },
      { count: 0, sum: 0, min: Infinity, max: -Infinity, last: Number.NaN }
    );
    expect(merged).toEqual({
      count: readings.length,
      sum: readings.reduce((a, b) => a + b, 0),
      min: Math.min(...readings),
      max: Math.max(...readings),
      last: readings.at(-1)
    });
  });

  it("sends a device the delta when its shadow's desired state changes, and takes its reported state over MQTT", async () => {
    const token = await platform.registerDevice('valve-1');
    const valve = await platform.connect('valve-1', token);
    await valve.subscribeAsync('devices/valve-1/shadow/update/#', { qos: 1 });
    const delta = nextMessage(valve, 'devices/valve-1/shadow/update/delta');
    const patched = await platform.dataPlane<{ version: number }>('PATCH', '/v1/devices/valve-1/shadow', platform.appKey, { desired: { position: 'open', flow: 4 } });
    expect(patched.status).toBe(200);
    expect(await delta).toMatchObject({ state: { position: 'open', flow: 4 }, version: patched.body.version });

    const accepted = nextMessage(valve, 'devices/valve-1/shadow/update/accepted');
    await valve.publishAsync('devices/valve-1/shadow/update', JSON.stringify({ state: { reported: { position: 'open', flow: 4 } }, clientToken: 'r1' }), { qos: 1 });
    expect(await accepted).toMatchObject({ clientToken: 'r1', state: { delta: {} } });
    const shadow = await platform.dataPlane<{ version: number; state: { delta: object; reported: object } }>('GET', '/v1/devices/valve-1/shadow', platform.appKey);
    expect(shadow.body.state).toMatchObject({ reported: { position: 'open', flow: 4 }, delta: {} });

    const stale = await platform.dataPlane<{ code: string }>('PATCH', '/v1/devices/valve-1/shadow', platform.appKey, { desired: { flow: 1 }, version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('PLX_SHADOW_VERSION_CONFLICT');
  });

  it("dead-letters telemetry its device type's schema refuses, and stores the rest", async () => {
    const created = await platform.controlPlane('POST', '/v1/device-types', platform.registryKey, {
      name: 'thermometer',
      telemetrySchema: { type: 'object', properties: { celsius: { type: 'number' } }, required: ['celsius'] }
    });
    expect(created.status).toBe(201);
    const token = await platform.registerDevice('thermo-1', 'thermometer');
    const thermo = await platform.connect('thermo-1', token);
    await thermo.publishAsync('devices/thermo-1/telemetry', '{"celsius":"warm"}', { qos: 1 });
    await thermo.publishAsync('devices/thermo-1/telemetry', '{"celsius":19.5}', { qos: 1 });
    const letters = await eventually(
      async () => (await platform.dataPlane<{ items: { deviceId: string; code: string; reason: string }[] }>('GET', '/v1/dead-letters', platform.appKey)).body,
      (body) => body.items.some((letter) => letter.deviceId === 'thermo-1'),
      'the dead letter'
    );
    expect(letters.items.find((letter) => letter.deviceId === 'thermo-1')).toMatchObject({ code: 'PLX_INGEST_SCHEMA_MISMATCH', reason: expect.stringContaining('/celsius') });
    const latest = await eventually(
      async () => platform.dataPlane<Point>('GET', '/v1/devices/thermo-1/telemetry/latest', platform.appKey),
      (answer) => answer.status === 200,
      'the valid point'
    );
    expect(latest.body.fields).toEqual({ celsius: 19.5 });
  });

  it('raises an alert from a rule, stores it, and publishes it to subscribed apps', async () => {
    const rule = await platform.dataPlane('POST', '/v1/rules', platform.appKey, {
      id: 'too-hot',
      name: 'Too hot',
      devices: { deviceId: 'oven-1' },
      condition: { threshold: { field: 'celsius', operator: '>', value: 250 } },
      severity: 'critical'
    });
    expect(rule.status).toBe(201);
    const dashboard = await platform.connect('ops-dashboard', platform.appKey);
    await dashboard.subscribeAsync('alerts/#', { qos: 1 });
    const published = nextMessage(dashboard, 'alerts/too-hot/oven-1');
    const token = await platform.registerDevice('oven-1');
    const oven = await platform.connect('oven-1', token);
    // Rules reach every data-plane process through a notification; publish until the rule is live.
    const alert = (await eventually(
      async () => {
        await oven.publishAsync('devices/oven-1/telemetry', '{"celsius":260}', { qos: 1 });
        return (await platform.dataPlane<{ items: { state: string; ruleId: string }[] }>('GET', '/v1/alerts?state=open', platform.appKey)).body;
      },
      (body) => body.items.length > 0,
      'the open alert'
    )).items[0];
    expect(alert).toMatchObject({ ruleId: 'too-hot', state: 'open' });
    expect(await published).toMatchObject({ kind: 'opened', alert: { ruleId: 'too-hot', deviceId: 'oven-1', severity: 'critical' } });
  });

  it('loses no point and stores none twice when the consumer is killed with SIGKILL mid-stream', async () => {
    await platform.registerDevice('meter-k');
    const base = Date.now();
    const records = Array.from({ length: 20_000 }, (_, index) => ({
      tenantId: platform.tenantId,
      deviceId: 'meter-k',
      messageId: `kill-${index}`,
      receivedAt: base + index,
      kind: 'telemetry' as const,
      topic: 'devices/meter-k/telemetry',
      payload: Buffer.from(JSON.stringify({ kwh: index }))
    }));
    const range = { from: String(base), to: String(base + records.length) };
    const stored = async () =>
      (await platform.dataPlane<{ counts: { count: number }[] }>('POST', '/v1/telemetry/counts', platform.appKey, { deviceIds: ['meter-k'], ...range })).body.counts[0]?.count ?? 0;
    await platform.putRecords(records);
    // Killed while it works through the 20,000 records: whatever batch was in flight is read again.
    const before = await eventually(stored, (count) => count > 0, 'the first points', 60_000);
    await platform.killAndRestartDataPlane();
    expect(before).toBeLessThan(records.length);
    expect(await eventually(stored, (count) => count >= records.length, 'every point after the restart', 120_000)).toBe(records.length);
    const rollups = await platform.dataPlane<TelemetryPage>('GET', `/v1/devices/meter-k/telemetry?from=${range.from}&to=${range.to}&rollup=1h`, platform.appKey);
    expect(rollups.body.items.reduce((total, bucket) => total + bucket.points, 0)).toBe(records.length);
  });

  it('answers bad requests with the field named, and refuses missing keys and scopes', async () => {
    expect((await platform.dataPlane('GET', '/v1/devices/boiler-1/telemetry', null)).status).toBe(401);
    const registryOnly = await platform.dataPlane<{ code: string }>('GET', '/v1/devices/boiler-1/telemetry', platform.registryKey);
    expect(registryOnly).toMatchObject({ status: 403, body: { code: 'PLX_DATA_FORBIDDEN_SCOPE' } });
    const badTime = await platform.dataPlane<{ field: string }>('GET', '/v1/devices/boiler-1/telemetry?from=yesterday', platform.appKey);
    expect(badTime).toMatchObject({ status: 400, body: { field: 'querystring/from' } });
    const badCursor = await platform.dataPlane<{ code: string }>('GET', '/v1/devices/boiler-1/telemetry?cursor=nonsense', platform.appKey);
    expect(badCursor).toMatchObject({ status: 400, body: { code: 'PLX_TELEMETRY_INVALID_CURSOR' } });
    const tooMany = await platform.dataPlane<{ field: string }>('POST', '/v1/telemetry/counts', platform.appKey, { deviceIds: [], from: '0', to: '1' });
    expect(tooMany).toMatchObject({ status: 400, body: { field: 'body/deviceIds' } });
    const docs = await platform.dataPlane<{ paths: Record<string, unknown> }>('GET', '/docs/json', null);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/v1/devices/{deviceId}/telemetry', '/v1/telemetry/counts', '/v1/devices/{deviceId}/shadow', '/v1/rules', '/v1/alerts']));
  });
});
