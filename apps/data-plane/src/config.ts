import { Type, type Static } from 'typebox';
import { ClusterNamespace, loadConfig, LogLevel, RedisUrl } from '@plexus/config';

export const DataPlaneConfigSchema = Type.Object({
  DATA_PLANE_HOST: Type.String({ default: '127.0.0.1' }),
  DATA_PLANE_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8081 }),
  CONTROL_PLANE_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:8080' }),
  PLEXUS_INTERNAL_TOKEN: Type.String({ minLength: 32 }),
  REDIS_URL: RedisUrl,
  CLUSTER_NAMESPACE: ClusterNamespace,
  MONGODB_URI: Type.String({ pattern: '^mongodb(\\+srv)?://', default: 'mongodb://127.0.0.1:27017/' }),
  MONGODB_DATABASE: Type.String({ pattern: '^[A-Za-z0-9_-]{1,63}$', default: 'plexus_data' }),
  KINESIS_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  KINESIS_STREAM: Type.String({ minLength: 1, maxLength: 128, default: 'telemetry' }),
  DATA_DIR: Type.String({ minLength: 1, default: '.data/data-plane', description: 'Where the embedded store keeps its files (when AEROSPIKE_HOSTS is unset).' }),
  AEROSPIKE_HOSTS: Type.Optional(Type.String({ pattern: '^[^,:]+(:\\d+)?(,[^,:]+(:\\d+)?)*$', description: 'host[:port][,host[:port]]: use Aerospike instead of the embedded store.' })),
  AEROSPIKE_NAMESPACE: Type.String({ minLength: 1, default: 'plexus' }),
  TELEMETRY_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 30 }),
  TELEMETRY_MAX_PAYLOAD_BYTES: Type.Integer({ minimum: 1, maximum: 268_435_455, default: 256 * 1024 }),
  RULES_ABSENCE_CHECK_MS: Type.Integer({ minimum: 100, default: 5000, description: 'How often silent devices are checked against absence rules.' }),
  STREAM_CONSUMER: Type.Boolean({ default: true, description: 'Read the stream in this process (false: API only).' }),
  DATA_PLANE_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1024 * 1024 }),
  LOG_LEVEL: LogLevel
});
export type DataPlaneConfig = Static<typeof DataPlaneConfigSchema>;

export function loadDataPlaneConfig(env: NodeJS.ProcessEnv = process.env): DataPlaneConfig {
  return loadConfig(DataPlaneConfigSchema, env);
}
