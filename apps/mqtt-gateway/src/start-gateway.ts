import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { Redis } from 'ioredis';
import { ConnectAuthenticator, DeviceSightingsReporter, subscribeToRevocations } from '@plexus/device-auth-client';
import {
  attachConnection,
  DetachedSessions,
  disconnectRevoked,
  MessageIds,
  ReasonCode,
  SessionRegistry,
  sessionsDue,
  UsageMeter,
  type DetachedSession,
  type GatewayContext,
  type MqttSession
} from '@plexus/mqtt-gateway-core';
import { RedisClusterLink, RedisRetainedStore, RedisSessionStore } from '@plexus/mqtt-cluster';
import { KeepaliveWheel } from '@plexus/mqtt-routing';
import type { Logger } from '@plexus/observability';
import { createKinesisClient, KinesisProducer } from '@plexus/stream';
import type { GatewayConfig } from './config.ts';
import { gatewayMetrics, shareMetricsWithPrimary } from './gateway-metrics.ts';
import { operationsServer } from './operations-server.ts';
import { ProtocolMetrics } from './protocol-metrics.ts';
import { startTlsListener } from './tls-listener.ts';

const KEEPALIVE_SLOT_MS = 1000;

export interface RunningGateway {
  readonly mqttPort: number;
  /** MQTT over TLS; null when TLS is off (no MQTT_TLS_CERT_FILE and MQTT_TLS_KEY_FILE). */
  readonly tlsPort: number | null;
  /** Null in a worker process: the primary serves the whole host's metrics. */
  readonly metricsPort: number | null;
  readonly context: GatewayContext;
  /** Reports the devices seen since the last report now rather than at the next interval. */
  flushSightings(): Promise<void>;
  /** Stops accepting, closes sessions (v5: 0x8B), drains the stream producer, releases connections. */
  stop(): Promise<void>;
}

/** `shared`: the worker processes of one host each bind the port and the kernel spreads connections over them. */
function listen(server: Server | HttpServer, host: string, port: number, what: string, variable: string, shared = false): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} for ${what} is already in use; set ${variable} to another port`) : error)
    );
    // exclusive: a cluster worker binds its own socket instead of asking the primary for one.
    server.listen({ port, host, reusePort: shared, exclusive: true }, () => resolve((server.address() as AddressInfo).port));
  });
}

export interface GatewayRole {
  /** A worker of a multi-process gateway: its metrics go to the primary, which serves them. */
  readonly worker: boolean;
}

export async function startGateway(config: GatewayConfig, log: Logger, role: GatewayRole = { worker: false }): Promise<RunningGateway> {
  const producer = new KinesisProducer({
    client: createKinesisClient(config.KINESIS_ENDPOINT === undefined ? {} : { endpoint: config.KINESIS_ENDPOINT }),
    streamName: config.KINESIS_STREAM,
    ownsClient: true
  });
  const authenticator = new ConnectAuthenticator({ controlPlaneUrl: config.CONTROL_PLANE_URL, internalToken: config.PLEXUS_INTERNAL_TOKEN });
  const keepalive = new KeepaliveWheel<MqttSession>({ slotWidthMs: KEEPALIVE_SLOT_MS, nowMs: Date.now() });
  const sessionExpiry = new KeepaliveWheel<DetachedSession>({ slotWidthMs: KEEPALIVE_SLOT_MS, nowMs: Date.now() });
  const sightings = new DeviceSightingsReporter({
    controlPlaneUrl: config.CONTROL_PLANE_URL,
    internalToken: config.PLEXUS_INTERNAL_TOKEN,
    resolutionMs: config.LAST_SEEN_RESOLUTION_MS,
    onError: (error) => log.warn({ err: error }, 'could not report device sightings; will retry')
  });
  sightings.start();
  const clusterRedis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const clusterSubscriber = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const cluster = new RedisClusterLink({
    redis: clusterRedis,
    subscriber: clusterSubscriber,
    namespace: config.CLUSTER_NAMESPACE,
    onError: (error, what) => log.warn({ err: error }, `cluster: failed ${what}`)
  });
  const messageIds = new MessageIds();
  const protocolMetrics = new ProtocolMetrics();
  const usage = new UsageMeter({ nodeId: cluster.nodeId, producer, messageIds, now: Date.now });
  const context: GatewayContext = {
    authenticator,
    producer,
    router: cluster.router,
    keepalive,
    sessions: new SessionRegistry(),
    messageIds,
    sightings,
    cluster,
    retained: new RedisRetainedStore(clusterRedis, config.CLUSTER_NAMESPACE),
    sessionStore: new RedisSessionStore(clusterRedis, config.CLUSTER_NAMESPACE),
    detachedSessions: new DetachedSessions(),
    sessionExpiry,
    usage,
    observer: protocolMetrics,
    limits: {
      maxPacketBytes: config.MQTT_MAX_PACKET_BYTES,
      receiveMaximum: config.MQTT_RECEIVE_MAXIMUM,
      maxKeepaliveSeconds: config.MQTT_MAX_KEEPALIVE_SECONDS,
      connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
      maxSessionExpirySeconds: config.MQTT_MAX_SESSION_EXPIRY_SECONDS,
      maxQueuedMessages: config.MQTT_MAX_QUEUED_MESSAGES,
      topicAliasMaximum: config.MQTT_TOPIC_ALIAS_MAXIMUM
    },
    now: Date.now
  };

  // Backpressure: while the stream cannot keep up, stop reading sockets; acks wait with the data.
  const pauseAll = () => {
    for (const session of context.sessions.all()) session.socket.pause();
    log.warn({ backlog: producer.bufferedRecords }, 'stream saturated; sockets paused');
  };
  const resumeAll = () => {
    for (const session of context.sessions.all()) session.socket.resume();
    log.info('stream drained; sockets resumed');
  };
  producer.on('saturated', pauseAll);
  producer.on('drain', resumeAll);

  // [MQTT-3.1.2-24] sessions silent for 1.5 × keepalive, and connections that never sent CONNECT.
  keepalive.start(KEEPALIVE_SLOT_MS, Date.now, (expired) => {
    for (const session of expired) session.close(ReasonCode.keepAliveTimeout);
  });
  // Delayed wills and expiring persistent sessions whose client is away [MQTT-3.1.3-9].
  sessionExpiry.start(KEEPALIVE_SLOT_MS, Date.now, (due) => sessionsDue(context, due));

  const subscriber = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  authenticator.onRevocation((event) => {
    const dropped = disconnectRevoked(context, event);
    if (dropped > 0) log.info({ event, dropped }, 'revocation closed sessions');
  });
  const stopRevocations = await subscribeToRevocations(subscriber, authenticator, (message) => log.warn({ message }, 'malformed revocation event'));

  const mqttServer = createServer((socket) => {
    const session = attachConnection(context, socket);
    if (producer.saturated) session.socket.pause();
  });
  await cluster.start(context);
  const usageTimer = setInterval(() => {
    usage.flush().catch((error: unknown) => log.warn({ err: error }, 'could not append usage to the stream'));
  }, config.USAGE_REPORT_INTERVAL_MS);
  usageTimer.unref();
  const metrics = gatewayMetrics({ sessions: context.sessions, producer, authenticator, cluster, protocol: protocolMetrics });
  const isReady = () => mqttServer.listening && subscriber.status === 'ready' && clusterSubscriber.status === 'ready';
  const operations = role.worker ? null : operationsServer(metrics, isReady);
  if (role.worker) shareMetricsWithPrimary(metrics);
  const mqttPort = await listen(mqttServer, config.MQTT_HOST, config.MQTT_PORT, 'MQTT', 'MQTT_PORT', true);
  const tlsListener = await startTlsListener(config.tls, config.MQTT_HOST, log, metrics, (socket) => {
    const session = attachConnection(context, socket);
    if (producer.saturated) session.socket.pause();
  });
  const metricsPort = operations && (await listen(operations, config.MQTT_HOST, config.GATEWAY_METRICS_PORT, 'gateway metrics', 'GATEWAY_METRICS_PORT'));
  log.info({ mqttPort, metricsPort, stream: config.KINESIS_STREAM, nodeId: cluster.nodeId }, 'MQTT gateway listening');

  return {
    mqttPort,
    tlsPort: tlsListener?.port ?? null,
    metricsPort,
    context,
    flushSightings: () => sightings.flush(),
    async stop() {
      mqttServer.close();
      tlsListener?.close();
      keepalive.stop();
      sessionExpiry.stop();
      for (const session of [...context.sessions.all()]) session.close(ReasonCode.serverShuttingDown);
      clearInterval(usageTimer);
      await usage.flush();
      await producer.close();
      await sightings.stop();
      await stopRevocations();
      await cluster.stop();
      subscriber.disconnect();
      clusterSubscriber.disconnect();
      // quit, not disconnect: persistent sessions detached above are still being written.
      await clusterRedis.quit();
      if (operations) await new Promise<void>((resolve) => operations.close(() => resolve()));
    }
  };
}
