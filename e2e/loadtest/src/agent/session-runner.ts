import type { ConnectStep } from '../contracts/scenario.ts';
import { DeviceConnection, type ConnectionListener, type ConnectRequest } from './device-connection.ts';
import type { DeviceCounters } from './device-counters.ts';
import type { KeepaliveMember, KeepaliveWheel } from './keepalive-wheel.ts';
import type { LatencyRecorder } from './latency-recorder.ts';
import { readStamp, type MessageContext } from './message-payloads.ts';
import type { Operation, SessionProgram } from './session-program.ts';
import { WakeHeap } from './wake-heap.ts';

// Runs every device's session as a small state machine: per device a status byte, a program
// counter and loop counters in typed arrays, one wake-up heap and ONE timer for arrivals, think
// times and deadlines, and connection events that drive a device to its next blocking step. No
// promise or timer per device, which at 18k devices per agent would cost more than the sockets.

/** What the runner needs from a connection (DeviceConnection, or a fake in scheduling tests). */
export interface SessionConnection extends KeepaliveMember {
  readonly tag: number;
  readonly inflight: number;
  readonly canPublishQos1: boolean;
  readonly writeBlocked: boolean;
  publish(topic: string, payload: Buffer, qos: 0 | 1, retain: boolean): boolean;
  subscribe(filter: string, qos: 0 | 1): void;
  disconnect(): void;
  abort(errorKind: string | null): void;
}

export type OpenConnection = (request: ConnectRequest, listener: ConnectionListener<SessionConnection>, tag: number) => SessionConnection;

export const openDeviceConnection: OpenConnection = (request, listener, tag) => new DeviceConnection(request, listener, tag);

export interface SessionRunnerOptions {
  readonly program: SessionProgram;
  readonly deviceIds: readonly string[];
  readonly tokens: readonly string[];
  /** When each device starts, in ms after `startAt` (ascending); devices beyond its length never start. */
  readonly arrivals: Float64Array;
  /** Epoch ms of the run's start. */
  readonly startAt: number;
  readonly mqtt: { readonly host: string; readonly port: number };
  /** Connections are spread over these round-robin, each has its own ephemeral port range. */
  readonly sourceAddresses: readonly string[];
  readonly counters: DeviceCounters;
  readonly ackLatency: LatencyRecorder;
  readonly endToEndLatency: LatencyRecorder;
  readonly keepalive: Pick<KeepaliveWheel, 'add' | 'remove'>;
  readonly open?: OpenConnection;
  /** In-flight CONNECTs at most, so a slow gateway gets a queue rather than a SYN storm. */
  readonly maxConnecting?: number;
  readonly connectTimeoutMs?: number;
  /** How long a disconnect waits for outstanding PUBACKs. */
  readonly drainTimeoutMs?: number;
  /** How long a DISCONNECT waits for the server to close before the socket is destroyed. */
  readonly closeTimeoutMs?: number;
  readonly random?: () => number;
  /** Epoch ms with a µs fraction. */
  readonly now?: () => number;
  /** Called once every device that started has ended its session. */
  readonly onAllFinished?: () => void;
}

const IDLE = 0;
const RUNNING = 1;
const CONNECT_QUEUED = 2;
const CONNECTING = 3;
const SUBSCRIBING = 4;
const WAITING_WINDOW = 5;
const SLEEPING = 6;
const STAYING = 7;
const DRAINING = 8;
const CLOSING = 9;
const DONE = 10;

const LINK_NONE = 0;
const LINK_CONNECTING = 1;
const LINK_CONNECTED = 2;

/** Operations one device runs before it yields to the others (a QoS 0 loop never waits). */
const OPERATIONS_PER_TURN = 64;
/** How long a device whose socket is backed up waits before it writes again. */
const WRITE_BLOCKED_PAUSE_MS = 5;

export class SessionRunner implements ConnectionListener<SessionConnection> {
  private readonly options: SessionRunnerOptions;
  private readonly operations: readonly Operation[];
  private readonly loopSlots: number;
  private readonly open: OpenConnection;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly maxConnecting: number;
  private readonly connectTimeoutMs: number;
  private readonly drainTimeoutMs: number;
  private readonly closeTimeoutMs: number;
  private readonly status: Uint8Array;
  private readonly link: Uint8Array;
  private readonly programCounters: Int32Array;
  private readonly loopCounters: Uint32Array;
  private readonly connections: (SessionConnection | null)[];
  private readonly wakeUps: WakeHeap;
  private readonly connectQueue: Int32Array;
  private queueHead = 0;
  private queueTail = 0;
  private connecting = 0;
  private openConnections = 0;
  private connectionsOpened = 0;
  private nextArrival = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private finishing = false;
  private settled: (() => void) | null = null;
  private allFinishedReported = false;
  private sessionsEnded = 0;

  constructor(options: SessionRunnerOptions) {
    this.options = options;
    this.operations = options.program.operations;
    this.loopSlots = options.program.loopSlots;
    this.open = options.open ?? openDeviceConnection;
    this.now = options.now ?? (() => performance.timeOrigin + performance.now());
    this.random = options.random ?? Math.random;
    this.maxConnecting = options.maxConnecting ?? 500;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
    const devices = options.deviceIds.length;
    this.status = new Uint8Array(devices);
    this.link = new Uint8Array(devices);
    this.programCounters = new Int32Array(devices);
    this.loopCounters = new Uint32Array(devices * this.loopSlots);
    this.connections = new Array<SessionConnection | null>(devices).fill(null);
    this.wakeUps = new WakeHeap(devices);
    this.connectQueue = new Int32Array(devices);
  }

  /** Every device has started its session (or the run is finishing and none will). */
  get allStarted(): boolean {
    return this.nextArrival >= this.options.arrivals.length;
  }

  get queuedConnects(): number {
    return this.queueTail - this.queueHead;
  }

  start(): void {
    this.reportIfAllFinished();
    this.arm();
  }

  /**
   * Ends the run: no more sessions start, every connection is closed with DISCONNECT, after its
   * outstanding PUBACKs (`finish`) or at once (`abort`). Resolves once every socket is closed.
   */
  finish(mode: 'finish' | 'abort'): Promise<void> {
    this.finishing = true;
    this.nextArrival = this.options.arrivals.length;
    this.queueHead = this.queueTail;
    const now = this.now();
    for (let device = 0; device < this.status.length; device++) {
      const status = this.status[device]!;
      if (status === IDLE || status === DONE) continue;
      const connection = this.connections[device] ?? null;
      if (connection === null) {
        this.complete(device);
      } else if (this.link[device] === LINK_CONNECTING) {
        connection.abort(null);
      } else if (status !== CLOSING) {
        if (mode === 'finish' && connection.inflight > 0) this.drain(device, now);
        else this.sendDisconnect(device, connection, now);
      }
    }
    this.arm();
    if (this.openConnections === 0) return Promise.resolve();
    return new Promise((resolve) => (this.settled = resolve));
  }

  connected(connection: SessionConnection): void {
    const device = connection.tag;
    this.connecting -= 1;
    this.link[device] = LINK_CONNECTED;
    this.wakeUps.remove(device);
    this.options.counters.countConnect(device);
    this.options.keepalive.add(connection);
    if (this.finishing) this.sendDisconnect(device, connection, this.now());
    else {
      this.programCounters[device]! += 1;
      this.status[device] = RUNNING;
      this.advance(device);
    }
    this.pumpConnects();
    this.arm();
  }

  acknowledged(connection: SessionConnection, sentAt: number, reasonCode: number): void {
    const device = connection.tag;
    if (reasonCode >= 0x80) this.options.counters.countError('puback_error');
    else {
      this.options.counters.countAck(device);
      this.options.ackLatency.record((performance.now() - sentAt) * 1000);
    }
    const status = this.status[device];
    if (status === WAITING_WINDOW) {
      this.status[device] = RUNNING;
      this.advance(device);
      this.arm();
    } else if (status === DRAINING && connection.inflight === 0) {
      this.sendDisconnect(device, connection, this.now());
      this.arm();
    }
  }

  subscribed(connection: SessionConnection, codes: readonly number[]): void {
    const device = connection.tag;
    if (codes.some((code) => code >= 0x80)) this.options.counters.countError('subscribe_refused');
    if (this.status[device] !== SUBSCRIBING) return;
    this.programCounters[device]! += 1;
    this.status[device] = RUNNING;
    this.advance(device);
    this.arm();
  }

  received(_connection: SessionConnection, _topic: string, payload: Buffer): void {
    this.options.counters.received += 1;
    const stamp = readStamp(payload);
    if (stamp !== null) this.options.endToEndLatency.record((this.now() - stamp) * 1000);
  }

  closed(connection: SessionConnection, errorKind: string | null): void {
    const device = connection.tag;
    this.options.keepalive.remove(connection);
    this.connections[device] = null;
    this.openConnections -= 1;
    if (this.link[device] === LINK_CONNECTING) {
      this.connecting -= 1;
      this.pumpConnects();
    } else {
      this.options.counters.countConnectionEnded();
    }
    this.link[device] = LINK_NONE;
    this.wakeUps.remove(device);
    if (errorKind !== null) this.options.counters.countError(errorKind);
    if (this.finishing || errorKind !== null || this.status[device] !== CLOSING) this.complete(device);
    else {
      this.status[device] = RUNNING;
      this.advance(device);
    }
    if (this.finishing && this.openConnections === 0) this.settled?.();
    this.arm();
  }

  private advance(device: number): void {
    const operations = this.operations;
    for (let budget = OPERATIONS_PER_TURN; budget > 0; budget--) {
      const counter = this.programCounters[device]!;
      const operation = operations[counter];
      const connection = this.connections[device] ?? null;
      if (operation === undefined) {
        // The session is over; an open connection ends as a disconnect step would end it.
        if (connection === null) this.complete(device);
        else if (connection.inflight > 0) this.drain(device, this.now());
        else this.sendDisconnect(device, connection, this.now());
        return;
      }
      switch (operation.kind) {
        case 'connect':
          if (connection !== null) break;
          this.status[device] = CONNECT_QUEUED;
          this.connectQueue[this.queueTail++ % this.connectQueue.length] = device;
          this.pumpConnects();
          return;
        case 'publish': {
          if (connection === null || this.link[device] !== LINK_CONNECTED) return this.failSession(device, 'not_connected');
          if (operation.qos === 1 && !connection.canPublishQos1) {
            this.status[device] = WAITING_WINDOW;
            return;
          }
          if (connection.writeBlocked) return this.sleep(device, this.now() + WRITE_BLOCKED_PAUSE_MS);
          const context = this.messageContext(device, this.options.counters.sentPerDevice[device]! + 1);
          if (!connection.publish(operation.topic(context), operation.payload(context), operation.qos, operation.retain)) {
            // The connection is failing: its close event ends the session.
            this.status[device] = WAITING_WINDOW;
            return;
          }
          this.options.counters.countPublish(device);
          break;
        }
        case 'subscribe':
          if (connection === null || this.link[device] !== LINK_CONNECTED) return this.failSession(device, 'not_connected');
          connection.subscribe(operation.filter(this.messageContext(device, 0)), operation.qos);
          this.status[device] = SUBSCRIBING;
          return;
        case 'think': {
          this.programCounters[device] = counter + 1;
          const pauseMs = operation.exponential ? -operation.meanMs * Math.log(1 - this.random()) : operation.meanMs;
          if (pauseMs > 0) return this.sleep(device, this.now() + pauseMs);
          continue;
        }
        case 'stay':
          this.programCounters[device] = counter + 1;
          if (operation.durationMs === null) {
            this.status[device] = STAYING;
            return;
          }
          return this.sleep(device, this.now() + operation.durationMs);
        case 'disconnect':
          this.programCounters[device] = counter + 1;
          if (connection === null) continue;
          if (connection.inflight > 0) this.drain(device, this.now());
          else this.sendDisconnect(device, connection, this.now());
          return;
        case 'loop-start':
          this.loopCounters[device * this.loopSlots + operation.slot] = 0;
          break;
        case 'loop-end': {
          const slot = device * this.loopSlots + operation.slot;
          const done = (this.loopCounters[slot]! += 1);
          if (done < operation.count) {
            this.programCounters[device] = operation.bodyStart;
            continue;
          }
          break;
        }
      }
      this.programCounters[device] = counter + 1;
    }
    // Out of budget: the device carries on at the next timer turn, after the others.
    this.sleep(device, this.now() + 1);
  }

  private messageContext(device: number, seq: number): MessageContext {
    return { deviceId: this.options.deviceIds[device]!, seq, epochMs: this.now(), random: this.random };
  }

  private sleep(device: number, until: number): void {
    this.status[device] = SLEEPING;
    this.wakeUps.set(device, until);
  }

  private drain(device: number, now: number): void {
    this.status[device] = DRAINING;
    this.wakeUps.set(device, now + this.drainTimeoutMs);
  }

  private sendDisconnect(device: number, connection: SessionConnection, now: number): void {
    this.status[device] = CLOSING;
    this.wakeUps.set(device, now + this.closeTimeoutMs);
    connection.disconnect();
  }

  private failSession(device: number, errorKind: string): void {
    this.options.counters.countError(errorKind);
    this.complete(device);
  }

  private complete(device: number): void {
    if (this.status[device] === DONE) return;
    this.status[device] = DONE;
    this.wakeUps.remove(device);
    this.options.counters.devicesFinished += 1;
    this.sessionsEnded += 1;
    this.reportIfAllFinished();
  }

  /**
   * Once the arrival plan is through, devices it leaves out (its counts are rounded at this
   * agent's share) will never start: they count as finished, so the controller, which waits for
   * every device of the slice, is not kept waiting for them.
   */
  private reportIfAllFinished(): void {
    if (this.allFinishedReported || !this.allStarted || this.sessionsEnded < this.options.counters.devicesStarted) return;
    this.allFinishedReported = true;
    this.options.counters.devicesFinished += this.status.length - this.options.counters.devicesStarted;
    this.options.onAllFinished?.();
  }

  private pumpConnects(): void {
    const now = this.now();
    while (this.connecting < this.maxConnecting && this.queueHead < this.queueTail) {
      const device = this.connectQueue[this.queueHead++ % this.connectQueue.length]!;
      if (this.status[device] !== CONNECT_QUEUED) continue;
      const step = (this.operations[this.programCounters[device]!] as { step: ConnectStep }).step;
      this.status[device] = CONNECTING;
      this.link[device] = LINK_CONNECTING;
      this.connecting += 1;
      this.openConnections += 1;
      this.wakeUps.set(device, now + this.connectTimeoutMs);
      this.connections[device] = this.open(this.connectRequest(device, step), this, device);
    }
  }

  private connectRequest(device: number, step: ConnectStep): ConnectRequest {
    const { mqtt, sourceAddresses, deviceIds, tokens } = this.options;
    const deviceId = deviceIds[device]!;
    const token = tokens[device];
    return {
      host: mqtt.host,
      port: mqtt.port,
      localAddress: sourceAddresses[this.connectionsOpened++ % sourceAddresses.length]!,
      protocolVersion: step.protocolVersion,
      clientId: deviceId,
      username: deviceId,
      ...(token === undefined || token === '' ? {} : { password: token }),
      cleanStart: step.cleanStart,
      keepaliveSec: step.keepaliveSec,
      sessionExpirySec: step.sessionExpirySec,
      ...(step.will === undefined ? {} : { will: { ...step.will, topic: step.will.topic.replaceAll('{deviceId}', deviceId) } })
    };
  }

  private onTimer(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = this.now();
    const { arrivals, startAt, counters } = this.options;
    while (this.nextArrival < arrivals.length && startAt + arrivals[this.nextArrival]! <= now) {
      const device = this.nextArrival++;
      counters.devicesStarted += 1;
      this.status[device] = RUNNING;
      this.advance(device);
    }
    for (let device = this.wakeUps.popDue(now); device !== -1; device = this.wakeUps.popDue(now)) this.wake(device);
    this.reportIfAllFinished();
    this.arm();
  }

  private wake(device: number): void {
    const connection = this.connections[device] ?? null;
    switch (this.status[device]) {
      case CONNECTING:
        connection?.abort('connect_timeout');
        break;
      case SLEEPING:
        this.status[device] = RUNNING;
        this.advance(device);
        break;
      case DRAINING:
        if (connection === null) break;
        this.options.counters.countError('puback_timeout', connection.inflight);
        this.sendDisconnect(device, connection, this.now());
        break;
      case CLOSING:
        connection?.abort(null);
        break;
    }
  }

  /** One timer for the next arrival or wake-up, re-armed only when that moment moves earlier. */
  private arm(): void {
    const { arrivals, startAt } = this.options;
    const nextArrival = this.nextArrival < arrivals.length ? startAt + arrivals[this.nextArrival]! : Infinity;
    const next = Math.min(nextArrival, this.wakeUps.peekTime());
    if (next === Infinity || (this.timer !== null && this.timerAt <= next)) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, next - this.now()));
  }

  /** Stops the scheduler's timer (the process is ending). */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }
}
