import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './gateway-test-server.ts';
import { app, device, Inbox, roundTrip, TestClients } from './test-clients.ts';

let gateway: TestGateway;
const clients = new TestClients(() => gateway.url);

beforeAll(async () => {
  gateway = await startTestGateway({
    'token-d1': device('acme', 'd-1'),
    'token-d2': device('acme', 'd-2'),
    'token-other-d1': device('other', 'd-1'),
    'key-acme-app': app('acme'),
    'key-other-app': app('other')
  });
});
afterEach(() => clients.endAll());
afterAll(() => gateway.close());

/** What a new subscription to `filter` gets as retained messages: `topic=payload`, sorted. */
async function retainedFor(filter: string, options: { rh?: 0 | 1 | 2; qos?: 0 | 1 | 2; protocolVersion?: 4 | 5 } = {}): Promise<string[]> {
  const subscriber = await clients.connect(`watcher-${filter}`, 'key-acme-app', options.protocolVersion ?? 5);
  const inbox = new Inbox(subscriber);
  await subscriber.subscribeAsync(filter, { qos: options.qos ?? 1, ...(options.rh === undefined ? {} : { rh: options.rh }) });
  await roundTrip(subscriber);
  subscriber.end(true);
  for (const message of inbox.messages) expect(message.packet.retain).toBe(true);
  return inbox.messages.map((message) => `${message.topic}=${message.payload}`).sort();
}

describe('retained messages', () => {
  it('keeps the last retained message per topic, replaces it, and deletes it on an empty payload [MQTT-3.3.1-5] [MQTT-3.3.1-6]', async () => {
    const d1 = await clients.connect('d-1', 'token-d1', 5);
    await d1.publishAsync('devices/d-1/telemetry/status', 'online', { qos: 1, retain: true });
    await d1.publishAsync('devices/d-1/telemetry/firmware', '1.2', { qos: 1, retain: true });
    expect(await retainedFor('devices/d-1/telemetry/#')).toEqual(['devices/d-1/telemetry/firmware=1.2', 'devices/d-1/telemetry/status=online']);
    await d1.publishAsync('devices/d-1/telemetry/status', 'sleeping', { qos: 1, retain: true });
    expect(await retainedFor('devices/+/telemetry/status')).toEqual(['devices/d-1/telemetry/status=sleeping']);
    await d1.publishAsync('devices/d-1/telemetry/status', '', { qos: 1, retain: true });
    expect(await retainedFor('devices/d-1/telemetry/#')).toEqual(['devices/d-1/telemetry/firmware=1.2']);
    // [MQTT-3.3.1-8] a message without RETAIN leaves the retained one alone.
    await d1.publishAsync('devices/d-1/telemetry/firmware', '9.9', { qos: 1 });
    expect(await retainedFor('devices/d-1/telemetry/firmware')).toEqual(['devices/d-1/telemetry/firmware=1.2']);
    await d1.publishAsync('devices/d-1/telemetry/firmware', '', { qos: 1, retain: true });
  });

  it('still stores retained telemetry in the stream, and takes the retain flag of 3.1.1 clients too', async () => {
    const d2 = await clients.connect('d-2', 'token-d2', 4);
    const before = gateway.producer.records.length;
    await d2.publishAsync('devices/d-2/telemetry', '{"t":20}', { qos: 1, retain: true });
    expect(gateway.producer.records.slice(before).map((record) => Buffer.from(record.payload).toString())).toEqual(['{"t":20}']);
    expect(await retainedFor('devices/d-2/telemetry', { protocolVersion: 4 })).toEqual(['devices/d-2/telemetry={"t":20}']);
    await d2.publishAsync('devices/d-2/telemetry', '', { qos: 1, retain: true });
  });

  it('sends retained messages at the lower of their QoS and the granted QoS', async () => {
    const d1 = await clients.connect('d-1', 'token-d1', 5);
    await d1.publishAsync('devices/d-1/telemetry/qos', 'two', { qos: 2, retain: true });
    const subscriber = await clients.connect('qos-watcher', 'key-acme-app', 5);
    const inbox = new Inbox(subscriber);
    await subscriber.subscribeAsync('devices/d-1/telemetry/qos', { qos: 1 });
    expect((await inbox.whenCount(1))[0]?.packet.qos).toBe(1);
    await d1.publishAsync('devices/d-1/telemetry/qos', '', { qos: 1, retain: true });
  });

  it('honours Retain Handling 0, 1 and 2 (v5) [MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11]', async () => {
    const d1 = await clients.connect('d-1', 'token-d1', 5);
    await d1.publishAsync('devices/d-1/telemetry/mode', 'eco', { qos: 1, retain: true });
    const subscriber = await clients.connect('handling', 'key-acme-app', 5);
    const inbox = new Inbox(subscriber);
    const received = async (filter: string, rh: 0 | 1 | 2) => {
      const before = inbox.messages.length;
      await subscriber.subscribeAsync(filter, { qos: 1, rh });
      await roundTrip(subscriber);
      return inbox.messages.slice(before).map((message) => message.payload);
    };
    expect(await received('devices/d-1/telemetry/mode', 0)).toEqual(['eco']);
    expect(await received('devices/d-1/telemetry/mode', 0)).toEqual(['eco']); // 0: on every SUBSCRIBE
    expect(await received('devices/d-1/telemetry/mode', 1)).toEqual([]); // 1: the subscription already existed
    expect(await received('devices/d-1/telemetry/+', 1)).toEqual(['eco']); // 1: a new subscription
    expect(await received('devices/+/telemetry/mode', 2)).toEqual([]); // 2: never
    await d1.publishAsync('devices/d-1/telemetry/mode', '', { qos: 1, retain: true });
  });

  it('sends live messages with RETAIN 0 unless the subscription asked for Retain As Published [MQTT-3.3.1-12] [MQTT-3.3.1-13]', async () => {
    const plain = await clients.connect('plain', 'key-acme-app', 5);
    const asPublished = await clients.connect('as-published', 'key-acme-app', 5);
    await plain.subscribeAsync('devices/d-1/telemetry/live', { qos: 1, rh: 2 });
    await asPublished.subscribeAsync('devices/d-1/telemetry/live', { qos: 1, rh: 2, rap: true });
    const plainInbox = new Inbox(plain);
    const asPublishedInbox = new Inbox(asPublished);
    const d1 = await clients.connect('d-1', 'token-d1', 5);
    await d1.publishAsync('devices/d-1/telemetry/live', 'retained', { qos: 1, retain: true });
    await d1.publishAsync('devices/d-1/telemetry/live', 'not retained', { qos: 1 });
    expect((await plainInbox.whenCount(2)).map((message) => message.packet.retain)).toEqual([false, false]);
    expect((await asPublishedInbox.whenCount(2)).map((message) => message.packet.retain)).toEqual([true, false]);
    await d1.publishAsync('devices/d-1/telemetry/live', '', { qos: 1, retain: true });
  });

  it('sends no retained messages to a shared subscription (MQTT 5.0 §4.8.2)', async () => {
    const d1 = await clients.connect('d-1', 'token-d1', 5);
    await d1.publishAsync('devices/d-1/telemetry/shared', 'kept', { qos: 1, retain: true });
    expect(await retainedFor('$share/group/devices/d-1/telemetry/shared')).toEqual([]);
    expect(await retainedFor('devices/d-1/telemetry/shared')).toEqual(['devices/d-1/telemetry/shared=kept']);
    await d1.publishAsync('devices/d-1/telemetry/shared', '', { qos: 1, retain: true });
  });

  it('keeps each tenant\'s retained messages to itself', async () => {
    const theirs = await clients.connect('d-1', 'token-other-d1', 5);
    await theirs.publishAsync('devices/d-1/telemetry/secret', 'theirs', { qos: 1, retain: true });
    expect(await retainedFor('#')).toEqual([]);
    await theirs.publishAsync('devices/d-1/telemetry/secret', '', { qos: 1, retain: true });
    expect(gateway.retained.size).toBe(0);
  });
});
