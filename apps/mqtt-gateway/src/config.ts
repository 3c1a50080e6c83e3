import { Type, type Static } from 'typebox';
import { ClusterNamespace, loadConfig, LogLevel, RedisUrl } from '@plexus/config';
import { readTlsSettings, type TlsSettings } from './tls-settings.ts';

export const GatewayConfigSchema = Type.Object({
  MQTT_HOST: Type.String({ default: '127.0.0.1' }),
  MQTT_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
  GATEWAY_METRICS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9100 }),
  CONTROL_PLANE_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:8080' }),
  PLEXUS_INTERNAL_TOKEN: Type.String({ minLength: 32 }),
  REDIS_URL: RedisUrl,
  CLUSTER_NAMESPACE: ClusterNamespace,
  KINESIS_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  KINESIS_STREAM: Type.String({ minLength: 1, maxLength: 128, default: 'telemetry' }),
  MQTT_MAX_PACKET_BYTES: Type.Integer({ minimum: 1024, maximum: 268_435_455, default: 256 * 1024 }),
  MQTT_RECEIVE_MAXIMUM: Type.Integer({ minimum: 1, maximum: 65_535, default: 100 }),
  MQTT_MAX_KEEPALIVE_SECONDS: Type.Integer({ minimum: 5, maximum: 65_535, default: 300 }),
  MQTT_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  MQTT_MAX_SESSION_EXPIRY_SECONDS: Type.Integer({
    minimum: 0,
    maximum: 4_294_967_295,
    default: 7 * 24 * 3600,
    description: 'Longest a persistent session outlives its connection; caps v5 Session Expiry and is the expiry of 3.1.1 cleanSession=0 sessions.'
  }),
  MQTT_MAX_QUEUED_MESSAGES: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1000, description: 'Offline queue bound per persistent session; the oldest are dropped beyond it.' }),
  MQTT_TOPIC_ALIAS_MAXIMUM: Type.Integer({ minimum: 0, maximum: 65_535, default: 16, description: 'Topic aliases a v5 client may use; 0 turns them off.' }),
  USAGE_REPORT_INTERVAL_MS: Type.Integer({ minimum: 1000, default: 60_000, description: 'How often per-tenant usage is appended to the stream.' }),
  LAST_SEEN_RESOLUTION_MS: Type.Integer({
    minimum: 0,
    default: 60_000,
    description: "A device's lastSeen is reported again only once its last report is this old: it trails the latest sighting by at most this plus 10 s."
  }),
  MQTT_TLS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8883 }),
  MQTT_TLS_CERT_FILE: Type.Optional(Type.String({ minLength: 1, description: 'PEM server certificate (chain); TLS is on when this and MQTT_TLS_KEY_FILE are set.' })),
  MQTT_TLS_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key of MQTT_TLS_CERT_FILE.' })),
  MQTT_TLS_CLIENT_CA_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM CA of device client certificates; when set the gateway asks clients for one.' })
  ),
  MQTT_TLS_HANDSHAKE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  MQTT_WORKERS: Type.Integer({
    minimum: 1,
    maximum: 256,
    default: 1,
    description: 'Worker processes sharing the MQTT ports; each may hold at most ~19k connections (20k open files a process).'
  }),
  MQTT_WORKER_SEMI_SPACE_MB: Type.Integer({
    minimum: 1,
    maximum: 64,
    default: 2,
    description: "V8's --max-semi-space-size for the worker processes: the young generation a connect storm grows, and which stays grown while the connections idle."
  }),
  LOG_LEVEL: LogLevel
});
export type GatewayConfig = Static<typeof GatewayConfigSchema> & {
  /** Null when TLS is off; read and checked from the MQTT_TLS_* variables at load time. */
  readonly tls: TlsSettings | null;
};

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const variables = loadConfig(GatewayConfigSchema, env);
  return { ...variables, tls: readTlsSettings(variables) };
}
