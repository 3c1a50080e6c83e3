import { resolve } from 'node:path';
import { platformErrors } from './errors.ts';

export interface PlatformConfig {
  readonly host: string;
  readonly controlPlanePort: number;
  readonly dataPlanePort: number;
  readonly redisPort: number;
  readonly mongoPort: number;
  readonly kinesisPort: number;
  readonly mqttPort: number;
  readonly mqttTlsPort: number;
  readonly gatewayMetricsPort: number;
  /** MQTT gateway worker processes sharing the MQTT ports (each holds at most ~19k connections). */
  readonly gatewayWorkers: number;
  /** Shards of the `telemetry` stream when it is created; an existing stream keeps its own. */
  readonly kinesisShards: number;
  /** The ingest stream the gateway writes and the data plane reads; tests and load runs sharing one Kinesis pick their own. */
  readonly kinesisStream: string;
  /** Set when the user points at an existing server; then no local engine is started. */
  readonly externalRedisUrl: string | undefined;
  readonly externalMongoUri: string | undefined;
  readonly externalKinesisEndpoint: string | undefined;
  /** `.data` under the repository unless PLEXUS_DATA_DIR names another (a relative one is taken from the repository root). */
  readonly dataDir: string;
}

/** Reads and validates the environment once; defaults are the ports in ARCHITECTURE.md. */
export function readPlatformConfig(env: NodeJS.ProcessEnv, root: string): PlatformConfig {
  return {
    host: '127.0.0.1',
    controlPlanePort: readPort(env, 'CONTROL_PLANE_PORT', 8080),
    dataPlanePort: readPort(env, 'DATA_PLANE_PORT', 8081),
    redisPort: readPort(env, 'REDIS_PORT', 6379),
    mongoPort: readPort(env, 'MONGO_PORT', 27017),
    kinesisPort: readPort(env, 'KINESIS_PORT', 4567),
    mqttPort: readPort(env, 'MQTT_PORT', 1883),
    mqttTlsPort: readPort(env, 'MQTT_TLS_PORT', 8883),
    gatewayMetricsPort: readPort(env, 'GATEWAY_METRICS_PORT', 9100),
    gatewayWorkers: readCount(env, 'MQTT_WORKERS', 1, 256, 'a worker count (1-256)'),
    // 1-1000: kinesalite starts with a shard limit of 1,000 (KinesisStartOptions.shardLimit).
    kinesisShards: readCount(env, 'KINESIS_SHARDS', 4, 1_000, 'a shard count (1-1000)'),
    kinesisStream: readStreamName(env, 'KINESIS_STREAM', 'telemetry'),
    externalRedisUrl: readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']),
    externalMongoUri: readUrl(env, 'MONGODB_URI', ['mongodb:', 'mongodb+srv:']),
    externalKinesisEndpoint: readUrl(env, 'KINESIS_ENDPOINT', ['http:', 'https:']),
    dataDir: resolve(root, nonBlank(env['PLEXUS_DATA_DIR']) ?? '.data')
  };
}

function nonBlank(raw: string | undefined): string | undefined {
  return raw === undefined || raw.trim() === '' ? undefined : raw;
}

// Kinesis stream names: 1-128 characters of [a-zA-Z0-9_.-].
function readStreamName(env: NodeJS.ProcessEnv, variable: string, fallback: string): string {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(raw)) throw platformErrors.badEnv(variable, 'a Kinesis stream name (1-128 of a-z A-Z 0-9 _ . -)', raw);
  return raw;
}

function readPort(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65_535) throw platformErrors.badEnv(variable, 'a TCP port (1-65535)', raw);
  return port;
}

function readCount(env: NodeJS.ProcessEnv, variable: string, fallback: number, maximum: number, what: string): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const count = Number(raw);
  if (!/^\d+$/.test(raw) || count < 1 || count > maximum) throw platformErrors.badEnv(variable, what, raw);
  return count;
}

function readUrl(env: NodeJS.ProcessEnv, variable: string, protocols: readonly string[]): string | undefined {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return undefined;
  const expected = `a URL starting with ${protocols.map((protocol) => `${protocol}//`).join(' or ')}`;
  try {
    if (protocols.includes(new URL(raw).protocol)) return raw;
  } catch {
    // Reported below with the same message as a wrong scheme.
  }
  throw platformErrors.badEnv(variable, expected, redactUrl(raw));
}

/** The URL without its password, for printing. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return raw.replace(/\/\/[^@/]*@/, '//***@');
  }
}
