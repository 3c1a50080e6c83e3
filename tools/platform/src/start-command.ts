import { join, relative } from 'node:path';
import {
  assertPortFree,
  detectMongoWireEngine,
  ensureKinesisStream,
  repoRoot,
  startKinesis,
  startMongoWire,
  startRedis,
  type EngineHandle
} from '@plexus/engines';
import { nodeAppService } from './app-process.ts';
import { readPlatformConfig, redactUrl, type PlatformConfig } from './config.ts';
import { loadOrCreateAdminKey, loadOrCreateInternalToken } from './secrets.ts';
import type { ServiceDefinition } from './service.ts';
import { describeUnexpectedExit, Supervisor } from './supervisor.ts';
import { ensureDevelopmentTls, type DevelopmentTls } from './tls-material.ts';

interface Endpoint {
  readonly label: string;
  readonly value: string;
}

export interface Plan {
  readonly services: readonly ServiceDefinition[];
  readonly endpoints: readonly Endpoint[];
  /** Ports this run will listen on, checked together before anything starts. */
  readonly ports: ReadonlyArray<readonly [port: number, what: string, envVar: string, externalVar?: string]>;
}

/** `./plexus start`: engines, then apps, until Ctrl-C or SIGTERM. Resolves to the exit code. */
export async function startCommand(): Promise<number> {
  const root = repoRoot();
  const config = readPlatformConfig(process.env, root);
  const adminKey = loadOrCreateAdminKey(join(config.dataDir, 'bootstrap-admin-key'));
  const internalToken = loadOrCreateInternalToken(join(config.dataDir, 'internal-token'));
  const tls = ensureDevelopmentTls(join(config.dataDir, 'tls'));
  const plan = planServices(config, root, adminKey.value, internalToken.value, tls);

  for (const [port, what, envVar, externalVar] of plan.ports) await assertPortFree(config.host, port, what, envVar, externalVar);

  const supervisor = new Supervisor();
  // Handlers stay installed: a second Ctrl-C while stopping must not kill us before the
  // engines (in their own process groups) have been stopped.
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.on('SIGINT', resolve);
    process.on('SIGTERM', resolve);
  });
  const outcome = await Promise.race([
    supervisor.startAll(plan.services).then(
      () => ({ kind: 'started' }) as const,
      (error: unknown) => ({ kind: 'failed', error }) as const
    ),
    supervisor.unexpectedExit.then((event) => ({ kind: 'crashed', message: describeUnexpectedExit(event) }) as const),
    stopped.then((signal) => ({ kind: 'signal', signal }) as const)
  ]);

  if (outcome.kind === 'started') {
    printSummary(plan.endpoints, adminKey.value, adminKey.created, root, config);
    const ended = await Promise.race([
      supervisor.unexpectedExit.then((event) => describeUnexpectedExit(event)),
      stopped.then(() => undefined)
    ]);
    return shutdown(supervisor, ended);
  }
  if (outcome.kind === 'signal') return shutdown(supervisor, undefined);
  return shutdown(supervisor, outcome.kind === 'crashed' ? outcome.message : (outcome.error as Error).message);
}

async function shutdown(supervisor: Supervisor, failure: string | undefined): Promise<number> {
  if (failure !== undefined) console.error(`\nplexus start: ${failure}; stopping everything`);
  else console.log('\nplexus start: stopping');
  await supervisor.stopAll();
  console.log('plexus start: stopped');
  return failure === undefined ? 0 : 1;
}

export function planServices(config: PlatformConfig, root: string, adminKey: string, internalToken: string, tls: DevelopmentTls): Plan {
  const services: ServiceDefinition[] = [];
  const ports: Array<readonly [number, string, string, string?]> = [];
  const endpoints: Endpoint[] = [];
  const { host, dataDir } = config;

  let mongoUri = config.externalMongoUri;
  if (mongoUri === undefined) {
    const engine = detectMongoWireEngine();
    const mongoDir = join(dataDir, engine.kind === 'mongod' ? 'mongod' : 'ferretdb');
    mongoUri = `mongodb://${host}:${config.mongoPort}/`;
    services.push({ name: engine.kind, start: () => startMongoWire({ host, port: config.mongoPort, dataDir: mongoDir }) });
    ports.push([config.mongoPort, 'the MongoDB wire engine', 'MONGO_PORT', 'MONGODB_URI']);
    endpoints.push({ label: 'MongoDB', value: `${mongoUri}  (${engine.kind}, data in ${relative(root, mongoDir)}/)` });
  } else {
    endpoints.push({ label: 'MongoDB', value: `${redactUrl(mongoUri)}  (external, from MONGODB_URI)` });
  }

  let redisUrl = config.externalRedisUrl;
  if (redisUrl === undefined) {
    const redisDir = join(dataDir, 'redis');
    redisUrl = `redis://${host}:${config.redisPort}`;
    services.push({ name: 'redis', start: () => startRedis({ host, port: config.redisPort, dataDir: redisDir }) });
    ports.push([config.redisPort, 'Redis', 'REDIS_PORT', 'REDIS_URL']);
    endpoints.push({ label: 'Redis', value: `${redisUrl}  (data in ${relative(root, redisDir)}/)` });
  } else {
    endpoints.push({ label: 'Redis', value: `${redactUrl(redisUrl)}  (external, from REDIS_URL)` });
  }

  let kinesisEndpoint = config.externalKinesisEndpoint;
  if (kinesisEndpoint === undefined) {
    const kinesisDir = join(dataDir, 'kinesis');
    const kinesisUrl = `http://${host}:${config.kinesisPort}`;
    kinesisEndpoint = kinesisUrl;
    services.push({ name: 'kinesalite', start: () => startKinesisWithStream(host, config.kinesisPort, kinesisDir, config.kinesisStream, config.kinesisShards) });
    ports.push([config.kinesisPort, 'Kinesis (kinesalite)', 'KINESIS_PORT', 'KINESIS_ENDPOINT']);
    endpoints.push({
      label: 'Kinesis',
      value: `${kinesisUrl}  (kinesalite, stream '${config.kinesisStream}', data in ${relative(root, kinesisDir)}/)`
    });
  } else {
    endpoints.push({ label: 'Kinesis', value: `${redactUrl(kinesisEndpoint)}  (external, from KINESIS_ENDPOINT)` });
  }

  const controlPlane = `http://${host}:${config.controlPlanePort}`;
  services.push(
    nodeAppService({
      name: 'control-plane',
      entry: join(root, 'apps', 'control-plane', 'src', 'main.ts'),
      url: controlPlane,
      readyUrl: `${controlPlane}/readyz`,
      env: {
        MONGODB_URI: mongoUri,
        REDIS_URL: redisUrl,
        CONTROL_PLANE_HOST: host,
        CONTROL_PLANE_PORT: String(config.controlPlanePort),
        PLEXUS_BOOTSTRAP_ADMIN_KEY: adminKey,
        PLEXUS_INTERNAL_TOKEN: internalToken
      }
    })
  );
  ports.push([config.controlPlanePort, 'the control plane', 'CONTROL_PLANE_PORT']);

  const gatewayMetrics = `http://${host}:${config.gatewayMetricsPort}`;
  services.push(
    nodeAppService({
      name: 'mqtt-gateway',
      entry: join(root, 'apps', 'mqtt-gateway', 'src', 'main.ts'),
      url: `mqtt://${host}:${config.mqttPort}`,
      readyUrl: `${gatewayMetrics}/readyz`,
      env: {
        MQTT_HOST: host,
        MQTT_PORT: String(config.mqttPort),
        GATEWAY_METRICS_PORT: String(config.gatewayMetricsPort),
        MQTT_WORKERS: String(config.gatewayWorkers),
        CONTROL_PLANE_URL: controlPlane,
        PLEXUS_INTERNAL_TOKEN: internalToken,
        REDIS_URL: redisUrl,
        KINESIS_ENDPOINT: kinesisEndpoint,
        KINESIS_STREAM: config.kinesisStream,
        ...gatewayTlsEnv(config, tls)
      }
    })
  );
  ports.push(
    [config.mqttPort, 'MQTT', 'MQTT_PORT'],
    [config.mqttTlsPort, 'MQTT over TLS', 'MQTT_TLS_PORT'],
    [config.gatewayMetricsPort, 'the gateway metrics', 'GATEWAY_METRICS_PORT']
  );
  const dataPlane = `http://${host}:${config.dataPlanePort}`;
  const dataPlaneDir = join(dataDir, 'data-plane');
  services.push(
    nodeAppService({
      name: 'data-plane',
      entry: join(root, 'apps', 'data-plane', 'src', 'main.ts'),
      url: dataPlane,
      readyUrl: `${dataPlane}/readyz`,
      env: {
        DATA_PLANE_HOST: host,
        DATA_PLANE_PORT: String(config.dataPlanePort),
        DATA_DIR: dataPlaneDir,
        MONGODB_URI: mongoUri,
        REDIS_URL: redisUrl,
        KINESIS_ENDPOINT: kinesisEndpoint,
        KINESIS_STREAM: config.kinesisStream,
        CONTROL_PLANE_URL: controlPlane,
        PLEXUS_INTERNAL_TOKEN: internalToken
      }
    })
  );
  ports.push([config.dataPlanePort, 'the data plane', 'DATA_PLANE_PORT']);
  endpoints.unshift(
    { label: 'REST API', value: `${controlPlane}/v1` },
    { label: 'API docs', value: `${controlPlane}/docs` },
    { label: 'Metrics', value: `${controlPlane}/metrics` },
    { label: 'Data API', value: `${dataPlane}/v1  (telemetry, shadows, rules, alerts; docs at ${dataPlane}/docs; data in ${relative(root, dataPlaneDir)}/)` },
    { label: 'MQTT', value: `mqtt://${host}:${config.mqttPort}  (devices: client id = device id, password = device token)` },
    {
      label: 'MQTT over TLS',
      value: `mqtts://${host}:${config.mqttTlsPort}  (trust ${relative(root, tls.caCertFile)}; a device certificate it signs may replace the password)`
    },
    { label: 'Gateway metrics', value: `${gatewayMetrics}/metrics` }
  );
  return { services, endpoints, ports };
}

/** The gateway serves the development server certificate and accepts device certificates the development CA signed. */
export function gatewayTlsEnv(config: PlatformConfig, tls: DevelopmentTls): Record<string, string> {
  return {
    MQTT_TLS_PORT: String(config.mqttTlsPort),
    MQTT_TLS_CERT_FILE: tls.serverCertFile,
    MQTT_TLS_KEY_FILE: tls.serverKeyFile,
    MQTT_TLS_CLIENT_CA_FILE: tls.caCertFile
  };
}

/** kinesalite with the telemetry stream ACTIVE, so apps started after it can write at once. */
async function startKinesisWithStream(host: string, port: number, dataDir: string, stream: string, shards: number): Promise<EngineHandle> {
  const engine = await startKinesis({ host, port, dataDir });
  try {
    await ensureKinesisStream(engine.url, stream, shards);
  } catch (error) {
    await engine.stop();
    throw error;
  }
  return engine;
}

function printSummary(
  endpoints: readonly Endpoint[],
  adminKey: string,
  created: boolean,
  root: string,
  config: PlatformConfig
): void {
  const width = Math.max(...endpoints.map((endpoint) => endpoint.label.length), 'Admin API key'.length) + 2;
  const keyFile = relative(root, join(config.dataDir, 'bootstrap-admin-key'));
  const lines = [
    '',
    'Plexus is running',
    ...endpoints.map((endpoint) => `  ${endpoint.label.padEnd(width)}${endpoint.value}`),
    `  ${'Admin API key'.padEnd(width)}${adminKey}  (${created ? 'created now, ' : ''}kept in ${keyFile})`,
    '',
    'Try it:',
    `  curl -H "Authorization: Bearer ${adminKey}" http://${config.host}:${config.controlPlanePort}/v1/tenants`,
    '',
    `Engine logs are in ${relative(root, config.dataDir)}/*.log. Press Ctrl-C to stop.`,
    ''
  ];
  console.log(lines.join('\n'));
}
