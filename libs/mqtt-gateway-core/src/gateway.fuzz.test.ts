import { connect as tcpConnect } from 'node:net';
import mqtt from 'mqtt';
import { generate, type Packet } from 'mqtt-packet';
import { seededRandom } from '@plexus/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './gateway-test-server.ts';
import { until } from './test-clients.ts';

// Half the connections ask for a persistent session, so fuzzed packets also reach detached
// sessions, the session store and the expiry wheel.
const connect = (protocolVersion: 4 | 5, persistent: boolean): Buffer =>
  generate(
    {
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion,
      clientId: 'd-2',
      username: 'd-2',
      password: Buffer.from('token-d2'),
      clean: !persistent,
      keepalive: 30,
      ...(protocolVersion === 5 && persistent ? { properties: { sessionExpiryInterval: 600 } } : {})
    },
    { protocolVersion }
  );

const SEEDS: Packet[] = [
  { cmd: 'publish', topic: 'devices/d-2/telemetry', payload: Buffer.from('{"v":1}'), qos: 1, messageId: 7, retain: false, dup: false },
  { cmd: 'publish', topic: 'devices/d-2/telemetry', payload: Buffer.from('x'), qos: 0, retain: false, dup: false },
  { cmd: 'publish', topic: 'devices/d-2/telemetry', payload: Buffer.from('{"v":2}'), qos: 2, messageId: 8, retain: false, dup: false },
  { cmd: 'publish', topic: 'devices/d-2/telemetry/state', payload: Buffer.from('on'), qos: 1, messageId: 10, retain: true, dup: false },
  { cmd: 'pubrel', messageId: 8 },
  { cmd: 'pubrec', messageId: 1 },
  { cmd: 'pubcomp', messageId: 1 },
  { cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'devices/d-2/#', qos: 2 }] },
  { cmd: 'unsubscribe', messageId: 4, unsubscriptions: ['devices/d-2/#'] },
  { cmd: 'puback', messageId: 9 },
  { cmd: 'pingreq' },
  { cmd: 'disconnect' }
];

function mutate(bytes: Buffer, random: () => number): Buffer {
  const copy = Buffer.from(bytes);
  switch (Math.floor(random() * 4)) {
    case 0: // flip a few bytes
      for (let i = 0; i < 1 + random() * 4; i++) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      return copy;
    case 1: // truncate
      return copy.subarray(0, Math.floor(random() * copy.length));
    case 2: // append garbage
      return Buffer.concat([copy, Buffer.from(Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * 256)))]);
    default: // lie about the remaining length
      copy[1] = Math.floor(random() * 256);
      return copy;
  }
}

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway({
    'token-d1': { result: 'allow', principal: { kind: 'device', tenantId: 'acme', deviceId: 'd-1', deviceType: null, expiresAt: null } },
    'token-d2': { result: 'allow', principal: { kind: 'device', tenantId: 'acme', deviceId: 'd-2', deviceType: null, expiresAt: null } }
  });
});
afterAll(() => gateway.close());

/** Sends the bytes, ends our side and resolves when the gateway has closed the connection. */
function exchange(bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(Number(new URL(gateway.url).port), '127.0.0.1');
    const timer = setTimeout(() => reject(new Error(`gateway kept a connection open after ${bytes.toString('hex')}`)), 5000);
    socket.on('error', () => {});
    // Read whatever the gateway answers, or its FIN would never be seen.
    socket.resume();
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('connect', () => socket.end(bytes));
  });
}

describe('fuzzing the protocol layer', () => {
  it('survives random and mutated packets, leaks nothing, and never disturbs another session', async () => {
    const bystander = await mqtt.connectAsync(gateway.url, { clientId: 'd-1', username: 'd-1', password: 'token-d1', protocolVersion: 5, reconnectPeriod: 0 });
    await bystander.subscribeAsync('devices/d-1/commands');
    const random = seededRandom(20261126);
    for (let i = 0; i < 2000; i++) {
      const kind = random();
      let bytes: Buffer;
      if (kind < 0.25) {
        bytes = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 120) }, () => Math.floor(random() * 256)));
      } else if (kind < 0.4) {
        bytes = mutate(connect(random() < 0.5 ? 4 : 5, random() < 0.5), random);
      } else {
        const version = random() < 0.5 ? 4 : 5;
        const seed = SEEDS[Math.floor(random() * SEEDS.length)] as Packet;
        bytes = Buffer.concat([connect(version, random() < 0.5), mutate(generate(seed, { protocolVersion: version }), random)]);
      }
      await exchange(bytes);
    }

    expect(bystander.connected).toBe(true);
    await bystander.publishAsync('devices/d-1/telemetry', 'still fine', { qos: 1 });
    // Every fuzzed connection is gone, with its keepalive entry. Its session is gone too, or, if
    // it was persistent, detached: one at most (one client id), in the expiry wheel and the store.
    expect(gateway.context.sessions.size).toBe(1);
    expect(gateway.context.keepalive.size).toBe(1);
    const detached = gateway.context.detachedSessions.size;
    expect(detached).toBeLessThanOrEqual(1);
    expect(gateway.context.sessionExpiry.size).toBe(detached);
    bystander.end(true);
    await until(() => gateway.context.sessions.size === 0);
    // Once every detached session has expired, nothing is left: no subscription, trie node,
    // stored session or wheel entry.
    gateway.advanceClock(600_000 + 1_000);
    expect(gateway.context.detachedSessions.size).toBe(0);
    expect(gateway.context.sessionExpiry.size).toBe(0);
    expect(gateway.context.router.count).toBe(0);
    expect(gateway.context.router.nodeCount).toBe(0);
    await until(() => gateway.sessionStore.size === 0);
  });
});
