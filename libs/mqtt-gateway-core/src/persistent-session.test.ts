import type { IClientOptions } from 'mqtt';
import type { IDisconnectPacket, IPublishPacket } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './gateway-test-server.ts';
import { disconnectRevoked } from './revocations.ts';
import { app, device, disconnectReason, RawClient, roundTrip, TestClients, until } from './test-clients.ts';

let gateway: TestGateway;
const clients = new TestClients(() => gateway.url);
const raws: RawClient[] = [];

beforeAll(async () => {
  gateway = await startTestGateway({ 'token-d1': device('acme', 'd-1'), 'token-d2': device('acme', 'd-2'), 'key-acme-app': app('acme') });
});
afterEach(async () => {
  clients.endAll();
  for (const raw of raws.splice(0)) raw.destroy();
  // Every test starts without sessions: live ones closed, detached ones expired.
  await until(() => gateway.context.sessions.size === 0);
  gateway.advanceClock(3_600_000 + 1_000);
  await until(() => gateway.sessionStore.size === 0);
});
afterAll(() => gateway.close());

const persistent = (protocolVersion: 4 | 5, expirySeconds = 300): IClientOptions =>
  protocolVersion === 5 ? { clean: false, properties: { sessionExpiryInterval: expirySeconds } } : { clean: false };

const detached = () => gateway.context.detachedSessions.size;

async function publishTelemetry(...payloads: string[]): Promise<void> {
  const d1 = await clients.connect('d-1', 'token-d1', 5);
  for (const payload of payloads) await d1.publishAsync('devices/d-1/telemetry', payload, { qos: 1 });
  d1.end(true);
}

function vanish(client: { end(force: boolean): unknown }): void {
  (client as unknown as { stream: { destroy(): void } }).stream.destroy();
}

describe('persistent sessions', () => {
  for (const protocolVersion of [4, 5] as const) {
    const version = protocolVersion === 5 ? '5.0 Clean Start 0 with a Session Expiry Interval' : '3.1.1 cleanSession 0';
    it(`resume with Session Present and get what was queued while away, in order (${version})`, async () => {
      const clientId = `dashboard-${protocolVersion}`;
      const first = clients.open(clientId, 'key-acme-app', protocolVersion, persistent(protocolVersion));
      expect((await first.connack).sessionPresent).toBe(false);
      await first.client.subscribeAsync('devices/+/telemetry', { qos: 1 });
      await first.client.endAsync();
      await until(() => detached() === 1);

      await publishTelemetry('1', '2', '3');
      const second = clients.open(clientId, 'key-acme-app', protocolVersion, persistent(protocolVersion));
      // [MQTT-3.2.2-3] Clean Start 0 and a session present.
      expect((await second.connack).sessionPresent).toBe(true);
      expect((await second.inbox.whenCount(3)).map((message) => message.payload)).toEqual(['1', '2', '3']);
      expect(detached()).toBe(0);
      // The restored subscription is live again, without a new SUBSCRIBE.
      await publishTelemetry('4');
      expect((await second.inbox.whenCount(4))[3]?.payload).toBe('4');
      await second.client.endAsync();
      await until(() => detached() === 1);
      const cleanStart = clients.open(clientId, 'key-acme-app', protocolVersion, { clean: true });
      expect((await cleanStart.connack).sessionPresent).toBe(false);
    });
  }

  it('drops QoS 0 messages while the client is away, queues QoS 1 ones, and bounds the queue (oldest dropped)', async () => {
    const first = clients.open('bounded', 'key-acme-app', 5, persistent(5));
    await first.connack;
    await first.client.subscribeAsync('devices/d-1/telemetry', { qos: 1 });
    await first.client.endAsync();
    await until(() => detached() === 1);
    const d1 = await clients.connect('d-1', 'token-d1', 5);
    await d1.publishAsync('devices/d-1/telemetry', 'at most once', { qos: 0 });
    for (let n = 1; n <= 105; n++) await d1.publishAsync('devices/d-1/telemetry', String(n), { qos: 1 });
    const second = clients.open('bounded', 'key-acme-app', 5, persistent(5));
    const queued = await second.inbox.whenCount(100);
    expect(queued[0]?.payload).toBe('6');
    expect(queued[99]?.payload).toBe('105');
    await roundTrip(second.client);
    expect(second.inbox.messages).toHaveLength(100);
  });

  it('caps the Session Expiry Interval and says so in the CONNACK', async () => {
    const { connack } = clients.open('forever', 'key-acme-app', 5, persistent(5, 0xffff_ffff));
    expect((await connack).properties?.sessionExpiryInterval).toBe(3600);
  });

  it('expires a detached session after its interval: out of the router and the store', async () => {
    const first = clients.open('expiring', 'key-acme-app', 5, persistent(5, 60));
    await first.connack;
    const subscriptionsBefore = gateway.context.router.count;
    await first.client.subscribeAsync('devices/d-1/telemetry', { qos: 1 });
    await first.client.endAsync();
    await until(() => detached() === 1);
    expect(gateway.context.router.count).toBe(subscriptionsBefore + 1);
    gateway.advanceClock(59_000);
    expect(detached()).toBe(1);
    gateway.advanceClock(1_200);
    expect(detached()).toBe(0);
    expect(gateway.context.router.count).toBe(subscriptionsBefore);
    expect(gateway.context.sessionExpiry.size).toBe(0);
    await until(() => gateway.sessionStore.size === 0);
    const again = clients.open('expiring', 'key-acme-app', 5, persistent(5, 60));
    expect((await again.connack).sessionPresent).toBe(false);
  });

  it('discards a stored session on Clean Start 1 [MQTT-3.1.2-4], queued messages included', async () => {
    const first = clients.open('fresh-start', 'key-acme-app', 5, persistent(5));
    await first.connack;
    await first.client.subscribeAsync('devices/d-1/telemetry', { qos: 1 });
    await first.client.endAsync();
    await until(() => detached() === 1);
    await publishTelemetry('stale');
    const clean = clients.open('fresh-start', 'key-acme-app', 5, { clean: true, properties: { sessionExpiryInterval: 300 } });
    // [MQTT-3.2.2-2] Clean Start 1: Session Present 0.
    expect((await clean.connack).sessionPresent).toBe(false);
    await roundTrip(clean.client);
    expect(clean.inbox.messages).toEqual([]);
    await publishTelemetry('not subscribed any more');
    await roundTrip(clean.client);
    expect(clean.inbox.messages).toEqual([]);
  });

  it('keeps the subscriptions of a live persistent session taken over by the same client id', async () => {
    const first = clients.open('taken-over', 'key-acme-app', 5, persistent(5));
    await first.connack;
    await first.client.subscribeAsync('devices/d-1/telemetry', { qos: 1 });
    const takenOver = disconnectReason(first.client);
    const second = clients.open('taken-over', 'key-acme-app', 5, persistent(5));
    expect((await second.connack).sessionPresent).toBe(true);
    expect(await takenOver).toBe(0x8e);
    await publishTelemetry('to the new connection');
    expect((await second.inbox.whenCount(1))[0]?.payload).toBe('to the new connection');
    expect(detached()).toBe(0);
  });

  it('sends unacknowledged messages again with DUP and their packet ids, and a pending PUBREL again [MQTT-4.4.0-1]', async () => {
    const connect = async () => {
      const { client, connack } = await RawClient.connect(gateway.url, {
        protocolVersion: 5,
        clientId: 'resend',
        username: 'resend',
        password: Buffer.from('key-acme-app'),
        clean: false,
        properties: { sessionExpiryInterval: 300 }
      });
      raws.push(client);
      return { client, connack };
    };
    const { client: first } = await connect();
    first.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'devices/d-1/commands', qos: 2 }, { topic: 'devices/d-1/telemetry', qos: 1 }] });
    await first.next('suback');
    const console = await clients.connect('console', 'key-acme-app', 5);
    await console.publishAsync('devices/d-1/commands', 'exactly once', { qos: 2 });
    await publishTelemetry('at least once');
    const qos2 = (await first.next('publish')) as IPublishPacket;
    const qos1 = (await first.next('publish')) as IPublishPacket;
    first.send({ cmd: 'pubrec', messageId: qos2.messageId as number });
    await first.next('pubrel');
    first.destroy();
    await until(() => detached() === 1);

    const { client: second, connack } = await connect();
    expect(connack.sessionPresent).toBe(true);
    expect((await second.next('pubrel')).messageId).toBe(qos2.messageId);
    const again = (await second.next('publish')) as IPublishPacket;
    expect(again).toMatchObject({ dup: true, qos: 1, messageId: qos1.messageId, topic: 'devices/d-1/telemetry' });
    expect(Buffer.from(again.payload).toString()).toBe('at least once');
    second.send({ cmd: 'pubcomp', messageId: qos2.messageId as number });
    second.send({ cmd: 'puback', messageId: qos1.messageId as number });
    await second.roundTrip();
    expect(gateway.context.sessions.find('acme', 'resend')?.inflightCount).toBe(0);
  });

  it('lets a v5 DISCONNECT end a persistent session (interval 0) but not make a session persistent [MQTT-3.14.2-2]', async () => {
    const { client: ending } = await RawClient.connect(gateway.url, {
      protocolVersion: 5,
      clientId: 'ending',
      username: 'ending',
      password: Buffer.from('key-acme-app'),
      clean: false,
      properties: { sessionExpiryInterval: 300 }
    });
    raws.push(ending);
    ending.send({ cmd: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 0 } });
    await ending.whenClosed();
    await until(() => gateway.sessionStore.size === 0);
    expect(detached()).toBe(0);

    const { client: shortLived } = await RawClient.connect(gateway.url, { protocolVersion: 5, clientId: 'short', username: 'short', password: Buffer.from('key-acme-app') });
    raws.push(shortLived);
    shortLived.send({ cmd: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 60 } });
    expect(((await shortLived.next('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x82);
  });
});

describe('revocation', () => {
  it('ends a persistent session whose credential is revoked instead of keeping it for the client', async () => {
    const d1 = clients.open('d-1', 'token-d1', 5, persistent(5));
    await d1.connack;
    await d1.client.subscribeAsync('devices/d-1/commands', { qos: 1 });
    const revoked = disconnectReason(d1.client);
    expect(disconnectRevoked(gateway.context, { kind: 'device', tenantId: 'acme', deviceId: 'd-1', reason: 'credential-revoked' })).toBe(1);
    expect(await revoked).toBe(0x98);
    await until(() => gateway.context.sessions.size === 0);
    expect(detached()).toBe(0);
    await until(() => gateway.sessionStore.size === 0);
  });
});

describe('will delay (v5)', () => {
  const will = (delaySeconds: number) => ({
    topic: 'devices/d-2/telemetry/status',
    payload: Buffer.from('gone'),
    qos: 1 as const,
    retain: false,
    properties: { willDelayInterval: delaySeconds }
  });
  const willsStored = () => gateway.producer.records.filter((record) => record.topic === 'devices/d-2/telemetry/status').length;

  it('publishes the will once its delay has passed [MQTT-3.1.3-9]', async () => {
    const watcher = await clients.connect('watcher', 'key-acme-app', 5);
    await watcher.subscribeAsync('devices/d-2/telemetry/status', { qos: 1 });
    const before = willsStored();
    const d2 = clients.open('d-2', 'token-d2', 5, { ...persistent(5), will: will(30) });
    await d2.connack;
    vanish(d2.client);
    await until(() => detached() === 1);
    gateway.advanceClock(29_000);
    expect(willsStored()).toBe(before);
    const received = new Promise<string>((resolve) => watcher.once('message', (_topic, payload) => resolve(payload.toString())));
    gateway.advanceClock(1_200);
    expect(willsStored()).toBe(before + 1);
    expect(await received).toBe('gone');
    // The session itself lives on until it expires.
    expect(detached()).toBe(1);
    gateway.advanceClock(300_000);
    expect(detached()).toBe(0);
    expect(willsStored()).toBe(before + 1);
  });

  it('does not publish the will when the client reconnects before the delay', async () => {
    const before = willsStored();
    const d2 = clients.open('d-2', 'token-d2', 5, { ...persistent(5), will: will(30) });
    await d2.connack;
    vanish(d2.client);
    await until(() => detached() === 1);
    gateway.advanceClock(10_000);
    const back = clients.open('d-2', 'token-d2', 5, persistent(5));
    expect((await back.connack).sessionPresent).toBe(true);
    gateway.advanceClock(60_000);
    expect(willsStored()).toBe(before);
  });

  it('publishes the will when the session ends before the delay', async () => {
    const before = willsStored();
    const d2 = clients.open('d-2', 'token-d2', 5, { ...persistent(5, 10), will: will(30) });
    await d2.connack;
    vanish(d2.client);
    await until(() => detached() === 1);
    gateway.advanceClock(10_200);
    expect(willsStored()).toBe(before + 1);
    expect(detached()).toBe(0);
  });
});
