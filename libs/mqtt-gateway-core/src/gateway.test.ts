import { connect as tcpConnect } from 'node:net';
import { once } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { generate, parser } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { disconnectRevoked } from './revocations.ts';
import { startTestGateway, type TestGateway } from './gateway-test-server.ts';
import { app, device } from './test-clients.ts';

let gateway: TestGateway;
const clients: MqttClient[] = [];

beforeAll(async () => {
  gateway = await startTestGateway({
    'token-d1': device('acme', 'd-1'),
    'token-d2': device('acme', 'd-2'),
    'token-other-d1': device('other', 'd-1'),
    'key-acme-app': app('acme'),
    'key-other-app': app('other'),
    'disabled': { result: 'deny', reason: 'device-disabled' }
  });
});
afterEach(() => {
  for (const client of clients.splice(0)) client.end(true);
  gateway.producer.holding = false;
  gateway.producer.release();
});
afterAll(() => gateway.close());

async function client(clientId: string, password: string, protocolVersion: 4 | 5 = 5, extra: IClientOptions = {}): Promise<MqttClient> {
  // MQTT 3.1.1 needs a user name whenever a password is sent [MQTT-3.1.2-22]; the gateway ignores its value.
  const connected = await mqtt.connectAsync(gateway.url, { clientId, username: clientId, password, protocolVersion, reconnectPeriod: 0, keepalive: 30, ...extra });
  clients.push(connected);
  return connected;
}

/** The reason code of the next DISCONNECT the gateway sends the client. */
function disconnectReason(subject: MqttClient): Promise<number> {
  return new Promise((resolve) => subject.once('disconnect', (packet) => resolve(packet.reasonCode ?? 0)));
}

function closed(subject: MqttClient): Promise<void> {
  return new Promise((resolve) => subject.once('close', () => resolve()));
}

/** The SUBACK's codes; MQTT.js rejects when any of them is a failure, with the SUBACK attached. */
async function subackCodes(subscription: Promise<{ qos: number }[]>): Promise<number[]> {
  try {
    return (await subscription).map((grant) => grant.qos);
  } catch (error) {
    const packet = (error as { packet?: { granted?: number[] } }).packet;
    if (!packet?.granted) throw error;
    return packet.granted;
  }
}

function nextMessage(subscriber: MqttClient, timeoutMs = 5000): Promise<{ topic: string; payload: Buffer }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message')), timeoutMs);
    subscriber.once('message', (topic, payload) => {
      clearTimeout(timer);
      resolve({ topic, payload });
    });
  });
}

describe('CONNECT', () => {
  it('accepts a device on MQTT 3.1.1 and 5.0 and declares what the gateway supports', async () => {
    const v5 = mqtt.connect(gateway.url, { clientId: 'd-1', username: 'd-1', password: 'token-d1', protocolVersion: 5, reconnectPeriod: 0 });
    clients.push(v5);
    const connack = await new Promise<{ reasonCode?: number; properties?: Record<string, unknown> }>((resolve) => v5.once('connect', resolve));
    expect(connack.reasonCode).toBe(0);
    expect(connack.properties).toMatchObject({
      retainAvailable: true,
      topicAliasMaximum: 16,
      receiveMaximum: 100,
      maximumPacketSize: 64 * 1024,
      wildcardSubscriptionAvailable: true,
      sharedSubscriptionAvailable: true,
      sessionExpiryInterval: 0
    });
    // Absent means QoS 2 is supported (v5 §3.2.2.3.4).
    expect(connack.properties?.maximumQoS).toBeUndefined();
    const v3 = await client('d-2', 'token-d2', 4);
    expect(v3.connected).toBe(true);
  });

  it('answers bad credentials with the version\'s code and closes', async () => {
    await expect(mqtt.connectAsync(gateway.url, { clientId: 'd-1', username: 'd-1', password: 'nope', protocolVersion: 5, reconnectPeriod: 0 })).rejects.toMatchObject({ code: 0x86 });
    await expect(mqtt.connectAsync(gateway.url, { clientId: 'd-1', username: 'd-1', password: 'nope', protocolVersion: 4, reconnectPeriod: 0 })).rejects.toMatchObject({ code: 4 });
    await expect(mqtt.connectAsync(gateway.url, { clientId: 'd-9', username: 'd-9', password: 'disabled', protocolVersion: 5, reconnectPeriod: 0 })).rejects.toMatchObject({ code: 0x8a });
  });

  it('takes a session over when the same client id connects again [MQTT-3.1.4-3]', async () => {
    const first = await client('d-1', 'token-d1', 5);
    const disconnected = disconnectReason(first);
    await client('d-1', 'token-d1', 5);
    expect(await disconnected).toBe(0x8e);
  });
});

describe('PUBLISH from devices', () => {
  it('acknowledges QoS 1 only after the stream accepted the record', async () => {
    const d1 = await client('d-1', 'token-d1', 5);
    gateway.producer.holding = true;
    const before = gateway.producer.records.length;
    let acked = false;
    const publish = d1.publishAsync('devices/d-1/telemetry', '{"t":21.5}', { qos: 1 }).then(() => (acked = true));
    await gateway.producer.whenPut(before + 1);
    // The record is with the stream but not accepted: the device must not have its PUBACK.
    await new Promise((resolve) => setImmediate(resolve));
    expect(acked).toBe(false);
    gateway.producer.release();
    await publish;
    expect(acked).toBe(true);
    expect(gateway.producer.records.at(-1)).toMatchObject({
      tenantId: 'acme',
      deviceId: 'd-1',
      kind: 'telemetry',
      topic: 'devices/d-1/telemetry',
      messageId: expect.stringMatching(/^[A-Za-z0-9_-]+\.[0-9a-z]+$/)
    });
    expect(Buffer.from(gateway.producer.records.at(-1)?.payload ?? []).toString()).toBe('{"t":21.5}');
    // The device was seen when it connected and when it published, for its lastSeen.
    expect(gateway.sightings.filter((sighting) => sighting === 'acme/d-1').length).toBeGreaterThanOrEqual(2);
  });

  it('keeps many QoS 1 publishes in flight and acknowledges them in order [MQTT-4.6.0-2]', async () => {
    const d1 = await client('d-1', 'token-d1', 5);
    gateway.producer.holding = true;
    const before = gateway.producer.records.length;
    const acked: number[] = [];
    const publishes = [1, 2, 3].map((n) => d1.publishAsync('devices/d-1/telemetry', String(n), { qos: 1 }).then(() => acked.push(n)));
    // All three reach the stream before it has accepted any: nothing waits for the previous PUBACK.
    await gateway.producer.whenPut(before + 3);
    expect(acked).toEqual([]);
    expect(gateway.producer.records.slice(before).map((record) => Buffer.from(record.payload).toString())).toEqual(['1', '2', '3']);
    gateway.producer.release();
    await Promise.all(publishes);
    expect(acked).toEqual([1, 2, 3]);
  });

  it('refuses a publish under another device: PUBACK 0x87 on 5.0, a closed connection on 3.1.1', async () => {
    const v5 = await client('d-1', 'token-d1', 5);
    await expect(v5.publishAsync('devices/d-2/telemetry', 'x', { qos: 1 })).rejects.toMatchObject({ code: 0x87 });
    expect(v5.connected).toBe(true);
    const v3 = await client('d-2', 'token-d2', 4);
    const v3Closed = closed(v3);
    v3.publish('devices/d-1/telemetry', 'x', { qos: 1 });
    await v3Closed;
  });
});

describe('live fan-out', () => {
  it('delivers a tenant\'s telemetry to its apps, never to another tenant\'s', async () => {
    const acmeApp = await client('dashboard', 'key-acme-app', 5);
    const otherApp = await client('dashboard', 'key-other-app', 5);
    await acmeApp.subscribeAsync('devices/+/telemetry', { qos: 1 });
    await otherApp.subscribeAsync('#', { qos: 1 });
    let leaked = false;
    otherApp.on('message', () => (leaked = true));
    const d1 = await client('d-1', 'token-d1', 4);
    const received = nextMessage(acmeApp);
    await d1.publishAsync('devices/d-1/telemetry', 'hello', { qos: 1 });
    expect(await received).toEqual({ topic: 'devices/d-1/telemetry', payload: Buffer.from('hello') });
    const otherDevice = await client('d-1', 'token-other-d1', 5);
    const otherReceived = nextMessage(otherApp);
    await otherDevice.publishAsync('devices/d-1/telemetry', 'theirs', { qos: 1 });
    expect((await otherReceived).payload.toString()).toBe('theirs');
    expect(leaked).toBe(true);
  });

  it('keeps devices in their own subtree and lets apps send them commands', async () => {
    const d1 = await client('d-1', 'token-d1', 5);
    expect(await subackCodes(d1.subscribeAsync(['devices/d-1/commands', 'devices/d-2/commands', 'devices/+/commands']))).toEqual([0, 0x87, 0x87]);
    const v3 = await client('d-2', 'token-d2', 4);
    expect(await subackCodes(v3.subscribeAsync('devices/d-1/commands'))).toEqual([0x80]);

    const acmeApp = await client('console', 'key-acme-app', 5);
    const command = nextMessage(d1);
    await acmeApp.publishAsync('devices/d-1/commands', '{"reboot":true}', { qos: 1 });
    expect(await command).toEqual({ topic: 'devices/d-1/commands', payload: Buffer.from('{"reboot":true}') });
    await expect(acmeApp.publishAsync('devices/d-1/telemetry', 'spoof', { qos: 1 })).rejects.toMatchObject({ code: 0x87 });
  });
});

describe('connection lifecycle', () => {
  it('publishes the will of a device that vanishes, not of one that disconnects', async () => {
    const acmeApp = await client('watcher', 'key-acme-app', 5);
    await acmeApp.subscribeAsync('devices/+/telemetry/status');
    const will = { topic: 'devices/d-2/telemetry/status', payload: Buffer.from('offline'), qos: 0 as const, retain: false };
    const polite = await client('d-2', 'token-d2', 5, { will });
    await polite.endAsync();
    const vanishing = await client('d-2', 'token-d2', 4, { will });
    const received = nextMessage(acmeApp);
    (vanishing as unknown as { stream: { destroy(): void } }).stream.destroy();
    expect(await received).toEqual({ topic: 'devices/d-2/telemetry/status', payload: Buffer.from('offline') });
  });

  it('closes sessions silent for 1.5 × keepalive [MQTT-3.1.2-24], and only those', async () => {
    const quiet = await client('d-1', 'token-d1', 5, { keepalive: 10 });
    const quietClosed = closed(quiet);
    expect(gateway.advanceClock(14_000)).toHaveLength(0);
    expect(gateway.advanceClock(1_200).map((session) => session.clientId)).toContain('d-1');
    await quietClosed;
  });

  it('drops the sessions a revocation concerns', async () => {
    const d1 = await client('d-1', 'token-d1', 5);
    const d2 = await client('d-2', 'token-d2', 5);
    const disconnected = disconnectReason(d1);
    expect(disconnectRevoked(gateway.context, { kind: 'device', tenantId: 'acme', deviceId: 'd-1', reason: 'credential-revoked' })).toBe(1);
    expect(await disconnected).toBe(0x98);
    expect(d2.connected).toBe(true);
  });
});

describe('bad input never hurts other sessions', () => {
  async function raw(bytes: Buffer): Promise<void> {
    const socket = tcpConnect(Number(new URL(gateway.url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(bytes);
    await once(socket, 'close');
  }

  it('closes on a first packet that is not CONNECT [MQTT-3.1.0-1], garbage, a bad length or an oversized packet', async () => {
    const bystander = await client('d-1', 'token-d1', 5);
    await raw(generate({ cmd: 'pingreq' }));
    await raw(Buffer.from([0x00, 0x00, 0xff, 0xff]));
    await raw(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
    await raw(Buffer.concat([Buffer.from([0x30, 0x80, 0x80, 0x10]), Buffer.alloc(10)]));
    expect(bystander.connected).toBe(true);
    await bystander.publishAsync('devices/d-1/telemetry', 'still here', { qos: 1 });
  });
});

describe('packets split across reads', () => {
  it('parses byte-by-byte input of a 5.0 and a 3.1.1 connection interleaved, while parsers are pooled between reads', async () => {
    const port = Number(new URL(gateway.url).port);
    const conversation = (protocolVersion: 4 | 5, clientId: string, password: string) =>
      Buffer.concat([
        generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion, clientId, username: clientId, password: Buffer.from(password), clean: true, keepalive: 30 }, { protocolVersion }),
        generate(
          { cmd: 'publish', topic: `devices/${clientId}/telemetry`, payload: Buffer.from(`from ${clientId}`), qos: 1, messageId: 42, retain: false, dup: false, ...(protocolVersion === 5 ? { properties: { userProperties: { k: 'v' } } } : {}) },
          { protocolVersion }
        )
      ]);
    const open = async (protocolVersion: 4 | 5) => {
      const socket = tcpConnect(port, '127.0.0.1');
      await once(socket, 'connect');
      const responses = parser({ protocolVersion });
      const puback = new Promise<number>((resolve) => responses.on('packet', (packet) => packet.cmd === 'puback' && resolve(packet.messageId as number)));
      socket.on('data', (chunk: Buffer) => responses.parse(chunk));
      return { socket, puback };
    };
    const v5 = await open(5);
    const v3 = await open(4);
    const bytes5 = conversation(5, 'd-1', 'token-d1');
    const bytes3 = conversation(4, 'd-2', 'token-d2');
    for (let i = 0; i < Math.max(bytes5.length, bytes3.length); i++) {
      if (i < bytes5.length) v5.socket.write(bytes5.subarray(i, i + 1));
      if (i < bytes3.length) v3.socket.write(bytes3.subarray(i, i + 1));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await v5.puback).toBe(42);
    expect(await v3.puback).toBe(42);
    const payloads = gateway.producer.records.slice(-2).map((record) => Buffer.from(record.payload).toString()).sort();
    expect(payloads).toEqual(['from d-1', 'from d-2']);
    v5.socket.destroy();
    v3.socket.destroy();
  });
});
