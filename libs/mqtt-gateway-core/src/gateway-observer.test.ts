import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayObserver } from './gateway-observer.ts';
import { startTestGateway, type TestGateway } from './gateway-test-server.ts';
import { device, TestClients } from './test-clients.ts';

const seen = { accepted: 0, refused: [] as number[], published: [] as number[], latencies: [] as number[] };
const observer: GatewayObserver = {
  connectAccepted: () => void seen.accepted++,
  connectRefused: (reasonCode) => void seen.refused.push(reasonCode),
  publishReceived: (qos) => void seen.published.push(qos),
  acknowledged: (latencyMs) => void seen.latencies.push(latencyMs)
};

let gateway: TestGateway;
const clients = new TestClients(() => gateway.url);

beforeAll(async () => {
  gateway = await startTestGateway({ 'token-d1': device('acme', 'd-1') }, { observer });
});
afterEach(() => clients.endAll());
afterAll(() => gateway.close());

describe('GatewayObserver', () => {
  it('sees accepted and refused CONNECTs, publishes by QoS, and how long each acknowledgement took', async () => {
    await expect(clients.connect('d-1', 'wrong')).rejects.toMatchObject({ code: 0x86 });
    const sensor = await clients.connect('d-1', 'token-d1');
    gateway.producer.holding = true;
    const acked = sensor.publishAsync('devices/d-1/telemetry', 'a', { qos: 1 });
    await gateway.producer.whenPut(1);
    gateway.advanceClock(250);
    gateway.producer.holding = false;
    gateway.producer.release();
    await acked;
    await sensor.publishAsync('devices/d-1/telemetry', 'b', { qos: 0 });
    await sensor.publishAsync('devices/d-1/telemetry', 'c', { qos: 2 });
    expect(seen.accepted).toBe(1);
    expect(seen.refused).toEqual([0x86]);
    expect(seen.published).toEqual([1, 0, 2]);
    expect(seen.latencies).toEqual([250, 0]);
  });
});
