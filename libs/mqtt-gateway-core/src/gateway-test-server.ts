import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { AuthRequest, AuthResult } from '@plexus/contracts';
import { KeepaliveWheel, SubscriptionTable } from '@plexus/mqtt-routing';
import type { PutSettled, StreamProducer, StreamRecord } from '@plexus/stream';
import { localOnly, type ClusterLink } from './cluster-link.ts';
import { attachConnection } from './connection.ts';
import type { DetachedSession } from './detached-session.ts';
import { DetachedSessions } from './detached-sessions.ts';
import type { GatewayContext, GatewayLimits, Subscriber } from './gateway-context.ts';
import { MemoryRetainedStore } from './memory-retained-store.ts';
import { MemorySessionStore } from './memory-session-store.ts';
import { unobserved, type GatewayObserver } from './gateway-observer.ts';
import { MessageIds } from './message-ids.ts';
import { UsageMeter } from './usage-meter.ts';
import { ReasonCode } from './reason-codes.ts';
import type { MqttSession } from './session.ts';
import { sessionsDue } from './session-end.ts';
import { SessionRegistry } from './session-registry.ts';

/**
 * The StreamProducer port for protocol tests: records every put and lets the test decide when
 * the stream accepts it, so "no PUBACK before the stream accepted" is observable without timing.
 * The real Kinesis adapter has its own tests against kinesalite.
 */
export class HeldProducer extends EventEmitter implements StreamProducer {
  readonly records: StreamRecord[] = [];
  holding = false;
  private readonly held: (() => void)[] = [];
  private readonly putListeners = new Set<() => void>();
  readonly bufferedBytes = 0;
  readonly batches = 0;
  readonly retries = 0;
  readonly failures = 0;
  readonly saturated = false;

  get bufferedRecords(): number {
    return this.held.length;
  }

  get acknowledgedRecords(): number {
    return this.records.length - this.held.length;
  }

  put(record: StreamRecord): Promise<void> {
    this.records.push(record);
    for (const listener of this.putListeners) listener();
    if (!this.holding) return Promise.resolve();
    return new Promise((resolve) => this.held.push(resolve));
  }

  putWithCallback<Context>(record: StreamRecord, settled: PutSettled<Context>, context: Context): void {
    void this.put(record).then(() => settled(context, undefined));
  }

  /** Accepts everything held so far. */
  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }

  /** Resolves once `count` records have been put. */
  whenPut(count: number, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.records.length < count) return;
        clearTimeout(timer);
        this.putListeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => reject(new Error(`only ${this.records.length} of ${count} records put`)), timeoutMs);
      this.putListeners.add(check);
      check();
    });
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  async whenDrained(): Promise<void> {}
}

export interface TestGateway {
  readonly url: string;
  readonly context: GatewayContext;
  readonly producer: HeldProducer;
  readonly retained: MemoryRetainedStore;
  readonly sessionStore: MemorySessionStore;
  /** `tenant/device` of every sighting the gateway reported, in order. */
  readonly sightings: readonly string[];
  /**
   * Moves the gateway's clock on: closes the sessions whose keepalive ran out, publishes delayed
   * wills and expires detached sessions that are due.
   */
  advanceClock(ms: number): MqttSession[];
  close(): Promise<void>;
}

export const TEST_LIMITS: GatewayLimits = {
  maxPacketBytes: 64 * 1024,
  receiveMaximum: 100,
  maxKeepaliveSeconds: 60,
  connectTimeoutMs: 10_000,
  maxSessionExpirySeconds: 3600,
  maxQueuedMessages: 100,
  topicAliasMaximum: 16
};

/** What a test may put in place of the single-process defaults (a clustered router and link, other limits). */
export interface TestGatewayOptions {
  readonly router?: SubscriptionTable<Subscriber>;
  readonly cluster?: ClusterLink;
  readonly limits?: Partial<GatewayLimits>;
  readonly observer?: GatewayObserver;
}

/** A gateway on a free loopback port; `credentials` maps a password to its authentication result. */
export async function startTestGateway(credentials: Readonly<Record<string, AuthResult>>, options: TestGatewayOptions = {}): Promise<TestGateway> {
  let clock = 1_000_000;
  const sightings: string[] = [];
  const producer = new HeldProducer();
  const keepalive = new KeepaliveWheel<MqttSession>({ slotWidthMs: 100, slotCount: 1024, nowMs: clock });
  const sessionExpiry = new KeepaliveWheel<DetachedSession>({ slotWidthMs: 100, slotCount: 1024, nowMs: clock });
  const retained = new MemoryRetainedStore();
  const sessionStore = new MemorySessionStore();
  const context: GatewayContext = {
    authenticator: {
      authenticate: async (request: AuthRequest) => credentials[request.password] ?? { result: 'deny', reason: 'bad-credentials' }
    },
    producer,
    router: options.router ?? new SubscriptionTable<Subscriber>(),
    keepalive,
    sessions: new SessionRegistry(),
    messageIds: new MessageIds(),
    sightings: { seen: (tenantId, deviceId) => sightings.push(`${tenantId}/${deviceId}`) },
    cluster: options.cluster ?? localOnly,
    retained,
    sessionStore,
    detachedSessions: new DetachedSessions(),
    sessionExpiry,
    observer: options.observer ?? unobserved,
    usage: new UsageMeter({ nodeId: 'test-node', producer, messageIds: new MessageIds(), now: () => clock }),
    limits: { ...TEST_LIMITS, ...options.limits },
    now: () => clock
  };
  const server: Server = createServer((socket) => attachConnection(context, socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`,
    context,
    producer,
    retained,
    sessionStore,
    sightings,
    advanceClock(ms) {
      clock += ms;
      const expired = keepalive.advance(clock);
      for (const session of expired) session.close(ReasonCode.keepAliveTimeout);
      sessionsDue(context, sessionExpiry.advance(clock));
      return expired;
    },
    close: () =>
      new Promise((resolve) => {
        for (const session of [...context.sessions.all()]) session.close(ReasonCode.serverShuttingDown);
        server.close(() => resolve());
      })
  };
}
