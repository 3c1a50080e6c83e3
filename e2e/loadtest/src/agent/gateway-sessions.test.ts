import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { within } from '@plexus/test-harness';
import { startTestGateway, type TestGateway } from '@plexus/mqtt-gateway-core/test-support';
import type { AuthResult } from '@plexus/contracts';
import type { SessionStep } from '../contracts/scenario.ts';
import { DeviceCounters } from './device-counters.ts';
import { KeepaliveWheel } from './keepalive-wheel.ts';
import { LatencyRecorder } from './latency-recorder.ts';
import { readStamp } from './message-payloads.ts';
import { compileSession } from './session-program.ts';
import { SessionRunner } from './session-runner.ts';

// Device sessions against the Plexus gateway's real protocol layer (in process, with a stream
// producer the test can read): what the gateway acknowledges, refuses and stores is what the
// agent counts, by the error kinds the report shows.

const TENANT = 'tenant-load';
const DEVICES = 6;
const ids = Array.from({ length: DEVICES }, (_, index) => `load-${index}`);
const device = (deviceId: string): AuthResult => ({ result: 'allow', principal: { kind: 'device', tenantId: TENANT, deviceId, deviceType: null, expiresAt: null } });

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway(Object.fromEntries(ids.map((id) => [`token-${id}`, device(id)])));
});
afterAll(async () => {
  await gateway.close();
});

async function run(session: SessionStep[], tokens: string[]): Promise<DeviceCounters> {
  const counters = new DeviceCounters(DEVICES);
  const wheel = new KeepaliveWheel();
  let allFinished: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (allFinished = resolve));
  const runner = new SessionRunner({
    program: compileSession(session, Math.random),
    deviceIds: ids,
    tokens,
    arrivals: new Float64Array(DEVICES),
    startAt: Date.now(),
    mqtt: { host: '127.0.0.1', port: Number(new URL(gateway.url).port) },
    sourceAddresses: ['127.0.7.1', '127.0.7.2'],
    counters,
    ackLatency: new LatencyRecorder(),
    endToEndLatency: new LatencyRecorder(),
    keepalive: wheel,
    onAllFinished: () => allFinished()
  });
  runner.start();
  await within(finished, 10_000, 'every session ended');
  runner.stop();
  return counters;
}

const publishOwn: SessionStep = {
  kind: 'publish',
  topic: 'devices/{deviceId}/telemetry',
  qos: 1,
  retain: false,
  payload: { kind: 'size', bytes: 80 },
  stamped: true
};

describe('sessions against the Plexus gateway', () => {
  it('counts what the gateway acknowledged and stored, and its v5 refusals as puback_error and subscribe_refused', async () => {
    const before = gateway.producer.records.length;
    const counters = await run(
      [
        { kind: 'connect', protocolVersion: 5, cleanStart: true, keepaliveSec: 30, sessionExpirySec: 0 },
        { kind: 'subscribe', filter: 'devices/someone-else/telemetry', qos: 1 },
        { kind: 'loop', count: 3, steps: [publishOwn] },
        { kind: 'publish', topic: 'devices/someone-else/telemetry', qos: 1, retain: false, payload: { kind: 'size', bytes: 10 }, stamped: false },
        { kind: 'disconnect' }
      ],
      ids.map((id) => `token-${id}`)
    );
    expect([...counters.sentPerDevice]).toEqual(new Array(DEVICES).fill(4));
    expect([...counters.ackedPerDevice]).toEqual(new Array(DEVICES).fill(3));
    expect(counters.errors()).toEqual({ subscribe_refused: DEVICES, puback_error: DEVICES });
    const stored = gateway.producer.records.slice(before).filter((record) => record.kind !== 'usage');
    expect(stored).toHaveLength(DEVICES * 3);
    for (const id of ids) expect(stored.filter((record) => record.deviceId === id)).toHaveLength(3);
    for (const record of stored) expect(readStamp(Buffer.from(record.payload as Uint8Array))).toBeGreaterThan(0);
  });

  it('reports refused credentials by CONNACK code, per protocol version', async () => {
    const session = (protocolVersion: 4 | 5): SessionStep[] => [{ kind: 'connect', protocolVersion, cleanStart: true, keepaliveSec: 30, sessionExpirySec: 0 }, publishOwn];
    const wrong = ids.map(() => 'wrong');
    expect((await run(session(5), wrong)).errors()).toEqual({ 'connect_refused:134': DEVICES });
    expect((await run(session(4), wrong)).errors()).toEqual({ 'connect_refused:4': DEVICES });
  });

  it('sees a 3.1.1 publish outside its topics end the connection, as the protocol has no refusal code for it', async () => {
    const counters = await run(
      [
        { kind: 'connect', protocolVersion: 4, cleanStart: true, keepaliveSec: 30, sessionExpirySec: 0 },
        publishOwn,
        { kind: 'publish', topic: 'devices/someone-else/telemetry', qos: 1, retain: false, payload: { kind: 'size', bytes: 10 }, stamped: false },
        { kind: 'stay' }
      ],
      ids.map((id) => `token-${id}`)
    );
    expect([...counters.ackedPerDevice]).toEqual(new Array(DEVICES).fill(1));
    expect(counters.errors()).toEqual({ closed_by_server: DEVICES });
  });
});
