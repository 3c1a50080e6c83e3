import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './gateway-test-server.ts';
import { app, device, Inbox, TestClients, until } from './test-clients.ts';

let gateway: TestGateway;
const clients = new TestClients(() => gateway.url);

beforeAll(async () => {
  gateway = await startTestGateway({ 'token-d1': device('acme', 'd-1'), 'key-acme': app('acme'), 'key-other': app('other') });
});
afterEach(() => clients.endAll());
afterAll(() => gateway.close());

describe('usage metering', () => {
  it("counts each tenant's connects, disconnects, connected time, and messages and payload bytes in and out", async () => {
    gateway.context.usage.takeEvents();
    const dashboard = await clients.connect('dash', 'key-acme');
    const inbox = new Inbox(dashboard);
    await dashboard.subscribeAsync('devices/+/telemetry', { qos: 1 });
    const sensor = await clients.connect('d-1', 'token-d1', 4);
    await sensor.publishAsync('devices/d-1/telemetry', '12345', { qos: 1 });
    await sensor.publishAsync('devices/d-1/telemetry', '678', { qos: 0 });
    await inbox.whenCount(2);
    await clients.connect('outsider', 'key-other');
    gateway.advanceClock(10_000);
    sensor.end(true);
    await until(() => gateway.context.sessions.size === 2);

    const events = gateway.context.usage.takeEvents();
    const acme = events.find((event) => event.tenantId === 'acme');
    expect(acme).toMatchObject({ connects: 2, disconnects: 1, messagesIn: 2, bytesIn: 8, messagesOut: 2, bytesOut: 8, connectedSeconds: 20 });
    expect(events.find((event) => event.tenantId === 'other')).toMatchObject({ connects: 1, disconnects: 0, messagesIn: 0, connectedSeconds: 10 });
  });
});
