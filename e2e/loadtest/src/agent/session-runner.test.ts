import { describe, expect, it } from 'vitest';
import { within } from '@plexus/test-harness';
import type { SessionStep } from '../contracts/scenario.ts';
import type { ConnectionListener, ConnectRequest } from './device-connection.ts';
import { DeviceCounters } from './device-counters.ts';
import { notInWheel, type KeepaliveMember } from './keepalive-wheel.ts';
import { LatencyRecorder } from './latency-recorder.ts';
import { readStamp } from './message-payloads.ts';
import { compileSession } from './session-program.ts';
import { SessionRunner, type SessionConnection } from './session-runner.ts';

// Scheduling logic with fake connections: the test plays the broker by hand (accepting
// connects, acknowledging publishes), so it can hold the runner at any point and look.

class FakeConnection implements SessionConnection {
  readonly tag: number;
  readonly request: ConnectRequest;
  readonly listener: ConnectionListener<SessionConnection>;
  readonly keepaliveMs: number;
  lastSentAt = 0;
  wheelSlot = notInWheel;
  wheelNext: KeepaliveMember | null = null;
  wheelPrev: KeepaliveMember | null = null;
  readonly published: { topic: string; payload: Buffer; qos: 0 | 1; retain: boolean }[] = [];
  readonly unacked: number[] = [];
  readonly subscriptions: string[] = [];
  disconnected = false;
  ended = false;
  writeBlocked = false;

  constructor(request: ConnectRequest, listener: ConnectionListener<SessionConnection>, tag: number) {
    this.request = request;
    this.listener = listener;
    this.tag = tag;
    this.keepaliveMs = request.keepaliveSec * 1000;
  }
  get inflight(): number {
    return this.unacked.length;
  }
  get canPublishQos1(): boolean {
    return this.unacked.length < 4;
  }
  publish(topic: string, payload: Buffer, qos: 0 | 1, retain: boolean): boolean {
    this.published.push({ topic, payload: Buffer.from(payload), qos, retain });
    if (qos === 1) this.unacked.push(performance.now());
    return true;
  }
  subscribe(filter: string): void {
    this.subscriptions.push(filter);
  }
  ping(): void {}
  accept(): void {
    this.listener.connected(this, false);
  }
  /** Acknowledges what is outstanding now, not what the acks let the runner send meanwhile. */
  ackAll(): void {
    for (let count = this.unacked.length; count > 0; count--) this.listener.acknowledged(this, this.unacked.shift()!, 0);
  }
  disconnect(): void {
    this.disconnected = true;
    this.close(null);
  }
  abort(errorKind: string | null): void {
    this.close(errorKind);
  }
  close(errorKind: string | null): void {
    if (this.ended) return;
    this.ended = true;
    queueMicrotask(() => this.listener.closed(this, errorKind));
  }
}

interface Harness {
  runner: SessionRunner;
  counters: DeviceCounters;
  connections: FakeConnection[];
  keptAlive: Set<KeepaliveMember>;
  finished: Promise<void>;
}

function harness(session: SessionStep[], devices: number, options: { autoAccept?: boolean; autoAck?: boolean; maxConnecting?: number; connectTimeoutMs?: number; arrivalGapMs?: number; arriving?: number } = {}): Harness {
  const counters = new DeviceCounters(devices);
  const connections: FakeConnection[] = [];
  const keptAlive = new Set<KeepaliveMember>();
  let onAllFinished: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (onAllFinished = resolve));
  const arrivals = new Float64Array(options.arriving ?? devices).map((_, index) => index * (options.arrivalGapMs ?? 0));
  const runner = new SessionRunner({
    program: compileSession(session, () => 0.5),
    deviceIds: Array.from({ length: devices }, (_, index) => `dev-${index}`),
    tokens: Array.from({ length: devices }, (_, index) => `token-${index}`),
    arrivals,
    startAt: Date.now(),
    mqtt: { host: '127.0.0.1', port: 1883 },
    sourceAddresses: ['127.0.1.1', '127.0.1.2', '127.0.1.3'],
    counters,
    ackLatency: new LatencyRecorder(),
    endToEndLatency: new LatencyRecorder(),
    keepalive: { add: (member) => keptAlive.add(member), remove: (member) => keptAlive.delete(member) },
    maxConnecting: options.maxConnecting ?? 500,
    connectTimeoutMs: options.connectTimeoutMs ?? 30_000,
    onAllFinished: () => onAllFinished(),
    open: (request, listener, tag) => {
      const connection = new FakeConnection(request, listener, tag);
      connections.push(connection);
      if (options.autoAccept ?? true) queueMicrotask(() => connection.accept());
      if (options.autoAck ?? true) {
        const publish = connection.publish.bind(connection);
        connection.publish = (...args) => {
          const sent = publish(...args);
          queueMicrotask(() => connection.ackAll());
          return sent;
        };
      }
      return connection;
    }
  });
  return { runner, counters, connections, keptAlive, finished };
}

const connect: SessionStep = { kind: 'connect', protocolVersion: 5, cleanStart: true, keepaliveSec: 30, sessionExpirySec: 0 };

async function until(condition: () => boolean, what: string): Promise<void> {
  await within(
    new Promise<void>((resolve) => {
      const check = (): void => (condition() ? resolve() : void setImmediate(check));
      check();
    }),
    5000,
    what
  );
}

describe('SessionRunner', () => {
  it('runs connect, a publish loop with think times and a disconnect for every device, counting each', async () => {
    const session: SessionStep[] = [
      connect,
      {
        kind: 'loop',
        count: 3,
        steps: [
          { kind: 'publish', topic: 'devices/{deviceId}/telemetry', qos: 1, retain: false, payload: { kind: 'size', bytes: 64 }, stamped: true },
          { kind: 'think', meanMs: 5, distribution: 'fixed' }
        ]
      },
      { kind: 'disconnect' }
    ];
    const { runner, counters, connections, keptAlive, finished } = harness(session, 10);
    runner.start();
    await within(finished, 5000, 'every session ended');
    expect(counters.devicesStarted).toBe(10);
    expect(counters.devicesFinished).toBe(10);
    expect([...counters.connectsPerDevice]).toEqual(new Array(10).fill(1));
    expect([...counters.sentPerDevice]).toEqual(new Array(10).fill(3));
    expect([...counters.ackedPerDevice]).toEqual(new Array(10).fill(3));
    expect(counters.connected).toBe(0);
    expect(counters.errors()).toEqual({});
    expect(keptAlive.size).toBe(0);
    for (const connection of connections) {
      expect(connection.request.clientId).toBe(`dev-${connection.tag}`);
      expect(connection.request.password).toBe(`token-${connection.tag}`);
      expect(connection.disconnected).toBe(true);
      expect(connection.published.map((message) => message.topic)).toEqual(new Array(3).fill(`devices/dev-${connection.tag}/telemetry`));
      for (const [index, message] of connection.published.entries()) {
        expect(message.payload.length).toBe(64);
        const parsed = JSON.parse(message.payload.toString()) as { ts: number; seq: number; pad: string };
        expect(parsed.seq).toBe(index + 1);
        expect(readStamp(message.payload)).toBe(parsed.ts);
        expect(Math.abs(parsed.ts - Date.now())).toBeLessThan(5000);
      }
    }
    // Connections spread round-robin over the source addresses.
    const perAddress = new Map<string, number>();
    for (const connection of connections) perAddress.set(connection.request.localAddress!, (perAddress.get(connection.request.localAddress!) ?? 0) + 1);
    expect([...perAddress.values()].sort()).toEqual([3, 3, 4]);
  });

  it('keeps at most maxConnecting CONNECTs in flight and starts the queued ones as others finish', async () => {
    const { runner, counters, connections } = harness([connect, { kind: 'stay' }], 20, { autoAccept: false, maxConnecting: 5 });
    runner.start();
    await until(() => connections.length === 5, 'the first five connects');
    expect(runner.queuedConnects).toBe(15);
    connections[0]!.accept();
    connections[1]!.abort('connect_error:ECONNRESET');
    await until(() => connections.length === 7, 'two more connects');
    for (const connection of connections.slice(2)) connection.accept();
    await until(() => connections.length === 12, 'five more');
    for (const connection of connections.slice(7)) connection.accept();
    await until(() => connections.length === 17, 'five more');
    for (const connection of connections.slice(12)) connection.accept();
    await until(() => connections.length === 20, 'the last');
    for (const connection of connections.slice(17)) connection.accept();
    expect(counters.connected).toBe(19);
    expect(counters.errors()).toEqual({ 'connect_error:ECONNRESET': 1 });
    await runner.finish('finish');
    expect(counters.connected).toBe(0);
  });

  it('holds QoS 1 publishes at the connection window until PUBACKs free it', async () => {
    const session: SessionStep[] = [
      connect,
      { kind: 'loop', count: 10, steps: [{ kind: 'publish', topic: 't/{deviceId}', qos: 1, retain: false, payload: { kind: 'template', template: '{"n":{seq}}' }, stamped: false }] }
    ];
    const { runner, counters, connections, finished } = harness(session, 1, { autoAck: false });
    runner.start();
    await until(() => connections[0]?.published.length === 4, 'a full window');
    expect(counters.publishesSent).toBe(4);
    connections[0]!.ackAll();
    await until(() => connections[0]!.published.length === 8, 'the next window');
    connections[0]!.ackAll();
    await until(() => connections[0]!.published.length === 10, 'the rest');
    expect(connections[0]!.disconnected).toBe(false); // the end of the session waits for the last acks
    connections[0]!.ackAll();
    await within(finished, 5000, 'the session end');
    expect(connections[0]!.disconnected).toBe(true);
    expect(connections[0]!.published.map((message) => message.payload.toString())).toEqual(Array.from({ length: 10 }, (_, n) => `{"n":${n + 1}}`));
    expect(counters.acked).toBe(10);
  });

  it('times out a CONNECT that gets no CONNACK', async () => {
    const { runner, counters, finished } = harness([connect, { kind: 'stay' }], 2, { autoAccept: false, connectTimeoutMs: 20 });
    runner.start();
    await within(finished, 5000, 'both sessions ended');
    expect(counters.errors()).toEqual({ connect_timeout: 2 });
    expect(counters.connects).toBe(0);
  });

  it('on finish waits for outstanding PUBACKs before DISCONNECT, and on abort does not', async () => {
    const session: SessionStep[] = [
      connect,
      { kind: 'publish', topic: 't', qos: 1, retain: false, payload: { kind: 'size', bytes: 10 }, stamped: false },
      { kind: 'stay' }
    ];
    const finishing = harness(session, 3, { autoAck: false });
    finishing.runner.start();
    await until(() => finishing.counters.publishesSent === 3, 'three publishes');
    const done = finishing.runner.finish('finish');
    await until(() => true, 'a turn');
    expect(finishing.connections.map((connection) => connection.disconnected)).toEqual([false, false, false]);
    for (const connection of finishing.connections) connection.ackAll();
    await within(done, 5000, 'finish');
    expect(finishing.connections.map((connection) => connection.disconnected)).toEqual([true, true, true]);
    expect(finishing.counters.acked).toBe(3);

    const aborting = harness(session, 3, { autoAck: false });
    aborting.runner.start();
    await until(() => aborting.counters.publishesSent === 3, 'three publishes');
    await within(aborting.runner.finish('abort'), 5000, 'abort');
    expect(aborting.connections.map((connection) => connection.disconnected)).toEqual([true, true, true]);
    expect(aborting.counters.acked).toBe(0);
  });

  it('starts devices at their arrival offsets, not all at once', async () => {
    const { runner, counters, connections } = harness([connect, { kind: 'stay' }], 3, { arrivalGapMs: 200 });
    const started = Date.now();
    runner.start();
    await until(() => counters.connected === 3, 'three connected');
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(connections).toHaveLength(3);
    await runner.finish('finish');
  });

  it('ends a session whose connection the server closes, counting the error', async () => {
    const { runner, counters, connections, finished } = harness([connect, { kind: 'stay' }], 1);
    runner.start();
    await until(() => counters.connected === 1, 'connected');
    connections[0]!.close('closed_by_server');
    await within(finished, 5000, 'session end');
    expect(counters.errors()).toEqual({ closed_by_server: 1 });
    expect(counters.connected).toBe(0);
  });

  it('counts devices the arrival plan leaves out as finished once the others have ended, so the controller is not kept waiting', async () => {
    const { runner, counters, finished } = harness([connect, { kind: 'disconnect' }], 5, { arriving: 3 });
    runner.start();
    await within(finished, 5000, 'every session ended');
    expect(counters.devicesStarted).toBe(3);
    expect(counters.devicesFinished).toBe(5);
    expect(counters.connects).toBe(3);
  });
});
