import type { IDisconnectPacket, IPublishPacket } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './gateway-test-server.ts';
import { device, RawClient } from './test-clients.ts';

let gateway: TestGateway;
const raws: RawClient[] = [];

beforeAll(async () => {
  gateway = await startTestGateway({ 'token-d1': device('acme', 'd-1') });
});
afterEach(() => {
  for (const raw of raws.splice(0)) raw.destroy();
});
afterAll(() => gateway.close());

async function d1(): Promise<RawClient> {
  const { client, connack } = await RawClient.connect(gateway.url, { protocolVersion: 5, clientId: 'd-1', username: 'd-1', password: Buffer.from('token-d1') });
  raws.push(client);
  expect(connack.properties?.topicAliasMaximum).toBe(16);
  return client;
}

const publish = (messageId: number, topic: string, topicAlias: number, payload: string): IPublishPacket => ({
  cmd: 'publish',
  topic,
  payload: Buffer.from(payload),
  qos: 1,
  messageId,
  dup: false,
  retain: false,
  properties: { topicAlias }
});

describe('topic aliases from the client (v5)', () => {
  it('sets an alias with a topic, resolves it without one, and lets a later topic replace it', async () => {
    const client = await d1();
    const before = gateway.producer.records.length;
    client.send(publish(1, 'devices/d-1/telemetry', 16, 'set'));
    client.send(publish(2, '', 16, 'resolved'));
    client.send(publish(3, 'devices/d-1/telemetry/power', 16, 'replaced'));
    client.send(publish(4, '', 16, 'resolved again'));
    for (let n = 0; n < 4; n++) await client.next('puback');
    expect(gateway.producer.records.slice(before).map((record) => `${record.topic} ${Buffer.from(record.payload).toString()}`)).toEqual([
      'devices/d-1/telemetry set',
      'devices/d-1/telemetry resolved',
      'devices/d-1/telemetry/power replaced',
      'devices/d-1/telemetry/power resolved again'
    ]);
  });

  it('forgets aliases with the connection [MQTT-3.3.2-7]: an unknown alias without a topic is a protocol error', async () => {
    const first = await d1();
    first.send(publish(1, 'devices/d-1/telemetry', 1, 'set'));
    await first.next('puback');
    first.destroy();
    const second = await d1();
    second.send(publish(2, '', 1, 'which topic?'));
    expect(((await second.next('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x82);
  });

  for (const [alias, rule] of [
    [0, 'alias 0 [MQTT-3.3.2-8]'],
    [17, 'an alias above the Topic Alias Maximum [MQTT-3.3.2-9]']
  ] as const) {
    it(`disconnects with 0x94 on ${rule}`, async () => {
      const client = await d1();
      const before = gateway.producer.records.length;
      client.send(publish(1, 'devices/d-1/telemetry', alias, 'refused'));
      expect(((await client.next('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x94);
      await client.whenClosed();
      expect(gateway.producer.records.length).toBe(before);
    });
  }
});
