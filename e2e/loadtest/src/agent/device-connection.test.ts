import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextEvent, within } from '@plexus/test-harness';
import { DeviceConnection, type ConnectionListener, type ConnectRequest } from './device-connection.ts';
import { KeepaliveWheel } from './keepalive-wheel.ts';
import { startMosquitto, type TestMosquitto } from './test-mosquitto.ts';

// The lean client against a real broker (mosquitto): every packet it builds or decodes by hand
// has to be understood by, or come from, a real implementation of both protocol versions.

class RecordingListener extends EventEmitter implements ConnectionListener {
  readonly acks: { tag: number; reasonCode: number; latencyMs: number }[] = [];
  readonly messages: { tag: number; topic: string; payload: string }[] = [];
  readonly closes: { tag: number; errorKind: string | null }[] = [];
  connected(connection: DeviceConnection, sessionPresent: boolean): void {
    this.emit('connected', connection, sessionPresent);
  }
  acknowledged(connection: DeviceConnection, sentAt: number, reasonCode: number): void {
    this.acks.push({ tag: connection.tag, reasonCode, latencyMs: performance.now() - sentAt });
    this.emit('acknowledged', connection);
  }
  subscribed(connection: DeviceConnection, codes: readonly number[]): void {
    this.emit('subscribed', connection, codes);
  }
  received(connection: DeviceConnection, topic: string, payload: Buffer): void {
    this.messages.push({ tag: connection.tag, topic, payload: payload.toString() });
    this.emit('received', connection);
  }
  closed(connection: DeviceConnection, errorKind: string | null): void {
    this.closes.push({ tag: connection.tag, errorKind });
    this.emit('closed', connection, errorKind);
  }
  waitFor(event: string, count: number, records: () => number): Promise<void> {
    return within(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (records() < count) return;
          this.off(event, check);
          resolve();
        };
        this.on(event, check);
        check();
      }),
      10_000,
      `${count} × ${event}`
    );
  }
}

let broker: TestMosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.stop();
});

function request(clientId: string, protocolVersion: 4 | 5, extra: Partial<ConnectRequest> = {}): ConnectRequest {
  return { host: '127.0.0.1', port: broker.port, protocolVersion, clientId, cleanStart: true, keepaliveSec: 60, sessionExpirySec: 0, ...extra };
}

async function open(listener: RecordingListener, clientId: string, protocolVersion: 4 | 5, tag: number, extra: Partial<ConnectRequest> = {}): Promise<DeviceConnection> {
  const connected = nextEvent(listener, 'connected', 10_000);
  const connection = new DeviceConnection(request(clientId, protocolVersion, extra), listener, tag);
  const [which] = await connected;
  expect(which).toBe(connection);
  return connection;
}

async function close(listener: RecordingListener, connection: DeviceConnection): Promise<void> {
  const closed = nextEvent(listener, 'closed', 10_000);
  connection.disconnect();
  const [, errorKind] = await closed;
  expect(errorKind).toBeNull();
}

describe.each([4, 5] as const)('DeviceConnection over MQTT %s', (protocolVersion) => {
  // v5 brokers may answer 0x10 (no matching subscribers): a success, unlike codes from 0x80.
  it('publishes QoS 1 and gets every PUBACK back with its send time, and QoS 0 without one', async () => {
    const listener = new RecordingListener();
    const connection = await open(listener, `pub-v${protocolVersion}`, protocolVersion, 7, { sessionExpirySec: 30 });
    for (let n = 0; n < 40; n++) {
      // Past the window the client refuses instead of queueing: the caller waits for acks.
      if (!connection.canPublishQos1) await listener.waitFor('acknowledged', listener.acks.length + 1, () => listener.acks.length);
      expect(connection.publish(`devices/pub/telemetry`, Buffer.from(`{"n":${n}}`), 1, false)).toBe(true);
    }
    expect(connection.publish('devices/pub/telemetry', Buffer.from('qos0'), 0, false)).toBe(true);
    await listener.waitFor('acknowledged', 40, () => listener.acks.length);
    expect(connection.inflight).toBe(0);
    expect(listener.acks.every((ack) => ack.tag === 7 && ack.reasonCode < 0x80 && ack.latencyMs >= 0 && ack.latencyMs < 10_000)).toBe(true);
    await close(listener, connection);
  });

  it('subscribes and receives its own messages at QoS 0 and 1, acknowledging the QoS 1 ones', async () => {
    const listener = new RecordingListener();
    const persistent = { cleanStart: false, sessionExpirySec: 300 };
    const connection = await open(listener, `sub-v${protocolVersion}`, protocolVersion, 3, persistent);
    const subscribed = nextEvent(listener, 'subscribed', 10_000);
    connection.subscribe(`echo/v${protocolVersion}/#`, 1);
    const [, codes] = await subscribed;
    expect(codes).toEqual([1]);
    const big = 'x'.repeat(70_000); // spans several socket reads, so framing across chunks is exercised
    connection.publish(`echo/v${protocolVersion}/a`, Buffer.from('{"ts":1,"seq":1}'), 1, false);
    connection.publish(`echo/v${protocolVersion}/b`, Buffer.from(big), 0, false);
    await listener.waitFor('received', 2, () => listener.messages.length);
    expect(listener.messages).toEqual([
      { tag: 3, topic: `echo/v${protocolVersion}/a`, payload: '{"ts":1,"seq":1}' },
      { tag: 3, topic: `echo/v${protocolVersion}/b`, payload: big }
    ]);
    await close(listener, connection);
    // The broker resends a QoS 1 message it has no PUBACK for when the session resumes, ahead of
    // anything new: resuming and sending a marker shows the marker alone arrives.
    const resumed = nextEvent(listener, 'connected', 10_000);
    const again = new DeviceConnection(request(`sub-v${protocolVersion}`, protocolVersion, persistent), listener, 4);
    const [, sessionPresent] = await resumed;
    expect(sessionPresent).toBe(true);
    again.publish(`echo/v${protocolVersion}/marker`, Buffer.from('marker'), 0, false);
    await listener.waitFor('received', 3, () => listener.messages.length);
    expect(listener.messages[2]).toEqual({ tag: 4, topic: `echo/v${protocolVersion}/marker`, payload: 'marker' });
    await close(listener, again);
  });

  it('leaves a will that the broker publishes when the connection drops without DISCONNECT', async () => {
    const listener = new RecordingListener();
    const watcher = await open(listener, `watch-v${protocolVersion}`, protocolVersion, 1);
    const subscribed = nextEvent(listener, 'subscribed', 10_000);
    watcher.subscribe(`wills/v${protocolVersion}`, 0);
    await subscribed;
    const willing = await open(listener, `will-v${protocolVersion}`, protocolVersion, 2, {
      will: { topic: `wills/v${protocolVersion}`, payload: 'gone', qos: 0, retain: false }
    });
    willing.abort(null);
    await listener.waitFor('received', 1, () => listener.messages.length);
    expect(listener.messages[0]).toEqual({ tag: 1, topic: `wills/v${protocolVersion}`, payload: 'gone' });
    await close(listener, watcher);
  });
});

describe('DeviceConnection failures and keepalive', () => {
  it('reports a refused TCP connect by errno', async () => {
    const listener = new RecordingListener();
    const closed = nextEvent(listener, 'closed', 10_000);
    new DeviceConnection({ ...request('nobody', 4), port: 1 }, listener, 9);
    const [, errorKind] = await closed;
    expect(errorKind).toBe('connect_error:ECONNREFUSED');
  });

  it('connects from another 127.0.0.0/8 source address', async () => {
    const listener = new RecordingListener();
    const connection = await open(listener, 'bound', 5, 1, { localAddress: '127.0.1.7' });
    expect(connection.isConnected).toBe(true);
    await close(listener, connection);
  });

  it('stays connected past 1.5 × Keep Alive when the wheel pings it, while an unpinged one is dropped', async () => {
    const listener = new RecordingListener();
    const wheel = new KeepaliveWheel({ tickMs: 100 });
    const pinged = await open(listener, 'pinged', 4, 1, { keepaliveSec: 1 });
    const silent = await open(listener, 'silent', 4, 2, { keepaliveSec: 1 });
    wheel.add(pinged);
    wheel.start();
    try {
      await listener.waitFor('closed', 1, () => listener.closes.length);
      expect(listener.closes).toEqual([{ tag: 2, errorKind: 'closed_by_server' }]);
      expect(silent.isConnected).toBe(false);
      expect(pinged.isConnected).toBe(true);
      expect(wheel.pingsSent).toBeGreaterThan(0);
    } finally {
      wheel.stop();
    }
    wheel.remove(pinged);
    await close(listener, pinged);
  });
});
