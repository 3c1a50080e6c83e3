import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import type { DeviceProfile } from '@plexus/contracts';
import type { StreamRecord } from '@plexus/stream';
import { openEmbeddedStores, type EmbeddedStores, type TelemetryPoint } from '@plexus/telemetry-store';
import { testEngines, uniqueDatabaseName } from '@plexus/test-harness';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MongoDeadLetterStore } from './dead-letters.ts';
import { ShadowService, type DeviceMessenger } from './shadow-service.ts';
import { TelemetryIngestor } from './telemetry-ingestor.ts';

const THERMOMETER_SCHEMA = { type: 'object', properties: { celsius: { type: 'number' } }, required: ['celsius'] };
// The control plane's answers, as ControlPlaneLookups would give them (its routes have their own tests).
const profiles: Record<string, Omit<DeviceProfile, 'tenantId' | 'deviceId'>> = {
  'acme/thermo-1': { exists: true, status: 'enabled', deviceType: 'thermometer', telemetryRetentionDays: null, telemetrySchema: THERMOMETER_SCHEMA },
  'acme/plain-1': { exists: true, status: 'enabled', deviceType: null, telemetryRetentionDays: null, telemetrySchema: null },
  'brief/probe-1': { exists: true, status: 'enabled', deviceType: null, telemetryRetentionDays: 1, telemetrySchema: null },
  'acme/plain-2': { exists: true, status: 'enabled', deviceType: null, telemetryRetentionDays: null, telemetrySchema: null }
};
const devices = {
  deviceProfile: async (tenantId: string, deviceId: string): Promise<DeviceProfile> => ({
    tenantId,
    deviceId,
    ...(profiles[`${tenantId}/${deviceId}`] ?? { exists: false, status: null, deviceType: null, telemetryRetentionDays: null, telemetrySchema: null })
  })
};

class RecordingMessenger implements DeviceMessenger {
  readonly sent: { tenantId: string; topic: string; body: Record<string, unknown> }[] = [];
  async publish(tenantId: string, topic: string, payload: Buffer): Promise<void> {
    this.sent.push({ tenantId, topic, body: JSON.parse(payload.toString()) });
  }
}

let directory: string;
let stores: EmbeddedStores;
let mongo: MongoClient;
let deadLetters: MongoDeadLetterStore;
let messenger: RecordingMessenger;
let stored: TelemetryPoint[];
let ingestor: TelemetryIngestor;
let sequence = 0;

function record(deviceId: string, payload: string | Buffer, overrides: Partial<StreamRecord> = {}): StreamRecord {
  sequence++;
  return {
    tenantId: 'acme',
    deviceId,
    messageId: `m${sequence}`,
    receivedAt: 1_800_000_000_000 + sequence,
    kind: 'telemetry',
    topic: `devices/${deviceId}/telemetry`,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
    ...overrides
  };
}

const shadowRecord = (deviceId: string, topic: string, body: unknown) =>
  record(deviceId, typeof body === 'string' ? body : JSON.stringify(body), { kind: 'shadow', topic: `devices/${deviceId}/${topic}` });

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'ingest-'));
  stores = openEmbeddedStores(directory);
  mongo = await MongoClient.connect(testEngines().mongoUri);
  deadLetters = new MongoDeadLetterStore(mongo.db(uniqueDatabaseName('ingest')));
});
beforeEach(() => {
  messenger = new RecordingMessenger();
  stored = [];
  ingestor = new TelemetryIngestor({
    timeSeries: stores.timeSeries,
    shadows: new ShadowService(stores.shadows, messenger),
    deadLetters,
    devices,
    maxPayloadBytes: 1024,
    defaultRetentionSeconds: 3600 * 24 * 365,
    onPointsStored: async (points) => void stored.push(...points)
  });
});
afterAll(async () => {
  await stores.close();
  await mongo.close();
  rmSync(directory, { recursive: true, force: true });
});


describe('TelemetryIngestor', () => {
  it('stores telemetry with its numeric fields and stream, and hands the points to the rules', async () => {
    await ingestor.processBatch([
      record('thermo-1', '{"celsius":21.5,"battery":{"volts":3.1},"label":"x"}'),
      record('plain-1', Buffer.from([0xde, 0xad]), { topic: 'devices/plain-1/telemetry/raw' }),
      record('plain-1', '{}', { kind: 'usage', deviceId: 'gateway-node' })
    ]);
    const latest = await stores.timeSeries.latest('acme', 'thermo-1');
    expect(latest).toMatchObject({ stream: null, fields: { celsius: 21.5, 'battery.volts': 3.1 } });
    const opaque = await stores.timeSeries.latest('acme', 'plain-1');
    expect(opaque).toMatchObject({ stream: 'raw', fields: {} });
    expect(Buffer.from(opaque?.payload ?? []).toString('hex')).toBe('dead');
    expect(stored.map((point) => point.deviceId)).toEqual(['thermo-1', 'plain-1']);
    expect(ingestor.counters).toMatchObject({ points: 2, skipped: 1, deadLetters: 0 });
  });

  it('dead-letters unknown devices, oversized payloads and telemetry its schema refuses, and stores the rest of the batch', async () => {
    const batch = [
      record('ghost', '{"celsius":1}'),
      record('plain-1', 'x'.repeat(2000)),
      record('thermo-1', '{"celsius":"warm"}'),
      record('thermo-1', 'not json'),
      record('thermo-1', '{"celsius":19}')
    ];
    await ingestor.processBatch(batch);
    const letters = await deadLetters.list('acme', 100);
    const byMessage = new Map(letters.map((letter) => [letter.messageId, letter]));
    expect(byMessage.get(batch[0]?.messageId ?? '')?.code).toBe('PLX_INGEST_UNKNOWN_DEVICE');
    expect(byMessage.get(batch[1]?.messageId ?? '')).toMatchObject({ code: 'PLX_INGEST_PAYLOAD_TOO_LARGE', payloadBytes: 2000 });
    expect(byMessage.get(batch[2]?.messageId ?? '')).toMatchObject({ code: 'PLX_INGEST_SCHEMA_MISMATCH', reason: expect.stringContaining('/celsius must be number') });
    expect(byMessage.get(batch[3]?.messageId ?? '')?.code).toBe('PLX_INGEST_NOT_JSON');
    expect(byMessage.get(batch[3]?.messageId ?? '')?.payload.toString()).toBe('not json');
    expect((await stores.timeSeries.latest('acme', 'thermo-1'))?.fields).toEqual({ celsius: 19 });
  });

  it('stores a replayed batch once, dead letters included', async () => {
    const batch = [record('plain-1', '{"n":1}'), record('plain-1', '{"n":2}'), record('ghost', '{}')];
    const range = { from: batch[0]?.receivedAt ?? 0, to: (batch[2]?.receivedAt ?? 0) + 1 };
    await ingestor.processBatch(batch);
    const lettersBefore = (await deadLetters.list('acme', 1000)).length;
    await ingestor.processBatch(batch);
    expect(await stores.timeSeries.countPoints('acme', ['plain-1', 'ghost'], range)).toEqual([2, 0]);
    expect((await deadLetters.list('acme', 1000)).length).toBe(lettersBefore);
  });

  it("keeps each tenant's points for its own retention, the default for tenants that set none", async () => {
    const twoDaysAgo = Date.now() - 2 * 86_400_000;
    await ingestor.processBatch([
      record('probe-1', '{"v":1}', { tenantId: 'brief', receivedAt: twoDaysAgo }),
      record('plain-1', '{"v":1}', { receivedAt: twoDaysAgo })
    ]);
    const range = { from: twoDaysAgo, to: twoDaysAgo + 1 };
    expect(await stores.timeSeries.countPoints('brief', ['probe-1'], range)).toEqual([0]);
    expect(await stores.timeSeries.countPoints('acme', ['plain-1'], range)).toEqual([1]);
  });

  it('keeps undecodable bytes with their place in the stream', async () => {
    await ingestor.deadLetterUndecodable(Buffer.from('garbage'), 'unknown format version 9', { shardId: 'shardId-000000000001', sequenceNumber: '42', subSequenceNumber: 0 });
    expect(ingestor.counters.deadLetters).toBe(1);
  });
});

describe('device shadows over MQTT', () => {
  it('applies an update, answers on accepted, and sends the device the delta', async () => {
    await ingestor.processBatch([shadowRecord('plain-1', 'shadow/update', { state: { desired: { valve: 'open', speed: 3 } }, clientToken: 't1' })]);
    await ingestor.processBatch([shadowRecord('plain-1', 'shadow/update', { state: { reported: { valve: 'open', speed: 1 } }, version: 1 })]);
    const topics = messenger.sent.map((message) => message.topic);
    expect(topics).toEqual([
      'devices/plain-1/shadow/update/accepted',
      'devices/plain-1/shadow/update/delta',
      'devices/plain-1/shadow/update/accepted',
      'devices/plain-1/shadow/update/delta'
    ]);
    expect(messenger.sent[0]?.body).toMatchObject({ version: 1, clientToken: 't1', state: { desired: { valve: 'open', speed: 3 } } });
    expect(messenger.sent[3]?.body).toMatchObject({ state: { speed: 3 }, version: 2 });
    expect(await stores.shadows.get('acme', 'plain-1')).toMatchObject({ version: 2, delta: { speed: 3 } });
  });

  it('rejects a stale version and a malformed message on update/rejected, and answers gets', async () => {
    await ingestor.processBatch([
      shadowRecord('thermo-1', 'shadow/update', { state: { reported: { on: true } } }),
      shadowRecord('thermo-1', 'shadow/update', { state: { reported: { on: false } }, version: 7, clientToken: 'old' }),
      shadowRecord('thermo-1', 'shadow/update', 'not json'),
      shadowRecord('thermo-1', 'shadow/get', { clientToken: 'g1' }),
      shadowRecord('plain-2', 'shadow/get', '')
    ]);
    const rejected = messenger.sent.filter((message) => message.topic.endsWith('/rejected'));
    expect(rejected.map((message) => [message.topic, message.body['code']])).toEqual([
      ['devices/thermo-1/shadow/update/rejected', 'PLX_SHADOW_VERSION_CONFLICT'],
      ['devices/thermo-1/shadow/update/rejected', 'PLX_SHADOW_BAD_MESSAGE'],
      ['devices/plain-2/shadow/get/rejected', 'PLX_SHADOW_NOT_FOUND']
    ]);
    expect(rejected[0]?.body['clientToken']).toBe('old');
    const got = messenger.sent.find((message) => message.topic === 'devices/thermo-1/shadow/get/accepted');
    expect(got?.body).toMatchObject({ clientToken: 'g1', version: 1, state: { reported: { on: true } } });
  });

  it('keeps the update when no gateway can take the answer, and counts what was not published', async () => {
    const failures: unknown[] = [];
    const shadows = new ShadowService(stores.shadows, { publish: async () => Promise.reject(new Error('no gateway node')) }, (error) => failures.push(error));
    const offline = new TelemetryIngestor({ timeSeries: stores.timeSeries, shadows, deadLetters, devices, maxPayloadBytes: 1024, defaultRetentionSeconds: 3600 });
    await offline.processBatch([shadowRecord('plain-1', 'shadow/update', { state: { desired: { fan: 'high' } } })]);
    expect((await stores.shadows.get('acme', 'plain-1'))?.desired).toMatchObject({ fan: 'high' });
    expect(shadows.notifyFailures).toBe(2);
    expect(failures).toHaveLength(2);
  });
});
