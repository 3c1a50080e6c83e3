import type { IPublishPacket, IPubrecPacket, IDisconnectPacket, ISubackPacket } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './gateway-test-server.ts';
import { app, device, Inbox, RawClient, roundTrip, TestClients } from './test-clients.ts';

let gateway: TestGateway;
const clients = new TestClients(() => gateway.url);
const raws: RawClient[] = [];

beforeAll(async () => {
  gateway = await startTestGateway(
    { 'token-d1': device('acme', 'd-1'), 'token-d2': device('acme', 'd-2'), 'key-acme-app': app('acme') },
    { limits: { receiveMaximum: 3 } }
  );
});
afterEach(() => {
  clients.endAll();
  for (const raw of raws.splice(0)) raw.destroy();
  gateway.producer.holding = false;
  gateway.producer.release();
});
afterAll(() => gateway.close());

async function raw(protocolVersion: 4 | 5, clientId: string, password: string, properties?: { receiveMaximum: number }): Promise<RawClient> {
  const { client } = await RawClient.connect(gateway.url, {
    protocolVersion,
    clientId,
    username: clientId,
    password: Buffer.from(password),
    ...(properties ? { properties } : {})
  });
  raws.push(client);
  return client;
}

const publish = (messageId: number, payload: string, dup = false): IPublishPacket => ({
  cmd: 'publish',
  topic: 'devices/d-1/telemetry',
  payload: Buffer.from(payload),
  qos: 2,
  messageId,
  dup,
  retain: false
});

describe('QoS 2 from a device', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`stores the message once, PUBREC only after the stream accepted it, PUBCOMP on PUBREL (${protocolVersion === 5 ? '5.0' : '3.1.1'})`, async () => {
      const d1 = await raw(protocolVersion, 'd-1', 'token-d1');
      gateway.producer.holding = true;
      const before = gateway.producer.records.length;
      d1.send(publish(7, `exactly once ${protocolVersion}`));
      await gateway.producer.whenPut(before + 1);
      // The resend before PUBREL must not be stored again [MQTT-4.3.3-10].
      d1.send(publish(7, `exactly once ${protocolVersion}`, true));
      await d1.roundTrip();
      expect(d1.received.some((packet) => packet.cmd === 'pubrec')).toBe(false);
      gateway.producer.holding = false;
      gateway.producer.release();
      expect(((await d1.next('pubrec')) as IPubrecPacket).messageId).toBe(7);
      expect(((await d1.next('pubrec')) as IPubrecPacket).messageId).toBe(7);
      d1.send({ cmd: 'pubrel', messageId: 7 });
      expect((await d1.next('pubcomp')).messageId).toBe(7);
      expect(gateway.producer.records.slice(before).map((record) => Buffer.from(record.payload).toString())).toEqual([`exactly once ${protocolVersion}`]);
      // Released: the same packet id now starts a new message.
      d1.send(publish(7, 'a new one'));
      await d1.next('pubrec');
      expect(gateway.producer.records.length).toBe(before + 2);
    });
  }

  it('keeps PUBRECs in order with PUBACKs [MQTT-4.6.0-2]', async () => {
    const d1 = await raw(5, 'd-1', 'token-d1');
    gateway.producer.holding = true;
    const before = gateway.producer.records.length;
    d1.send({ ...publish(1, 'one'), qos: 1 });
    d1.send(publish(2, 'two'));
    d1.send({ ...publish(3, 'three'), qos: 1 });
    await gateway.producer.whenPut(before + 3);
    gateway.producer.release();
    await d1.next('puback');
    await d1.next('puback');
    await d1.next('pubrec');
    expect(d1.received.length).toBe(0);
    d1.send({ cmd: 'pubrel', messageId: 2 });
    await d1.next('pubcomp');
  });

  it('counts QoS 2 publishes awaiting PUBREL against the Receive Maximum [MQTT-3.3.4-9]', async () => {
    const d1 = await raw(5, 'd-1', 'token-d1');
    for (const messageId of [1, 2, 3]) {
      d1.send(publish(messageId, String(messageId)));
      await d1.next('pubrec');
    }
    d1.send({ ...publish(4, 'one too many'), qos: 1 });
    expect(((await d1.next('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x93);
  });

  it('answers a v5 PUBREC 0x87 to an unauthorized QoS 2 publish and keeps the connection', async () => {
    const d1 = await raw(5, 'd-1', 'token-d1');
    d1.send({ ...publish(5, 'not mine'), topic: 'devices/d-2/telemetry' });
    expect(((await d1.next('pubrec')) as IPubrecPacket).reasonCode).toBe(0x87);
    await d1.roundTrip();
  });

  it('declares Maximum QoS 2 by leaving it out of the v5 CONNACK', async () => {
    const { client, connack } = await RawClient.connect(gateway.url, { protocolVersion: 5, clientId: 'd-1', username: 'd-1', password: Buffer.from('token-d1') });
    raws.push(client);
    expect(connack.reasonCode).toBe(0);
    expect(connack.properties?.maximumQoS).toBeUndefined();
  });
});

describe('QoS 2 to a subscriber', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`grants QoS 2 and completes PUBLISH, PUBREC, PUBREL, PUBCOMP (${protocolVersion === 5 ? '5.0' : '3.1.1'})`, async () => {
      const d1 = await clients.connect('d-1', 'token-d1', protocolVersion);
      expect((await d1.subscribeAsync('devices/d-1/commands', { qos: 2 }))[0]?.qos).toBe(2);
      const inbox = new Inbox(d1);
      const completed = new Promise<number>((resolve) => d1.once('packetsend', function onSend(packet) {
        if (packet.cmd === 'pubcomp') resolve(packet.messageId as number);
        else d1.once('packetsend', onSend);
      }));
      const console = await clients.connect('console', 'key-acme-app', 5);
      await console.publishAsync('devices/d-1/commands', '{"reboot":true}', { qos: 2 });
      const [message] = await inbox.whenCount(1);
      expect(message).toMatchObject({ topic: 'devices/d-1/commands', payload: '{"reboot":true}', packet: { qos: 2, retain: false } });
      expect(await completed).toBe(message?.packet.messageId);
      await roundTrip(d1);
      expect(gateway.context.sessions.find('acme', 'd-1')?.inflightCount).toBe(0);
    });
  }

  it('delivers at the lower of the published and the granted QoS', async () => {
    const d1 = await clients.connect('d-1', 'token-d1', 5);
    await d1.subscribeAsync('devices/d-1/commands', { qos: 2 });
    const inbox = new Inbox(d1);
    const console = await clients.connect('console', 'key-acme-app', 5);
    await console.publishAsync('devices/d-1/commands', 'at most once', { qos: 0 });
    await console.publishAsync('devices/d-1/commands', 'at least once', { qos: 1 });
    expect((await inbox.whenCount(2)).map((message) => message.packet.qos)).toEqual([0, 1]);
  });

  it('keeps no more QoS 2 messages in flight than the client\'s Receive Maximum, and sends the rest as it completes them', async () => {
    const d1 = await raw(5, 'd-1', 'token-d1', { receiveMaximum: 1 });
    d1.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'devices/d-1/commands', qos: 2 }] });
    expect(((await d1.next('suback')) as ISubackPacket).granted).toEqual([2]);
    const console = await clients.connect('console', 'key-acme-app', 5);
    for (const n of [1, 2]) await console.publishAsync('devices/d-1/commands', String(n), { qos: 2 });
    const first = (await d1.next('publish')) as IPublishPacket;
    await d1.roundTrip();
    expect(d1.received.filter((packet) => packet.cmd === 'publish')).toEqual([]);
    d1.send({ cmd: 'pubrec', messageId: first.messageId as number });
    expect((await d1.next('pubrel')).messageId).toBe(first.messageId);
    await d1.roundTrip();
    expect(d1.received.filter((packet) => packet.cmd === 'publish')).toEqual([]);
    d1.send({ cmd: 'pubcomp', messageId: first.messageId as number });
    const second = (await d1.next('publish')) as IPublishPacket;
    expect([Buffer.from(first.payload).toString(), Buffer.from(second.payload).toString()]).toEqual(['1', '2']);
  });
});
