import { Type, type Static } from 'typebox';
import { loadConfig, LogLevel, RedisUrl } from '@plexus/config';

export const ControlPlaneConfigSchema = Type.Object({
  CONTROL_PLANE_HOST: Type.String({ default: '127.0.0.1' }),
  CONTROL_PLANE_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  MONGODB_URI: Type.String({ pattern: '^mongodb(\\+srv)?://', default: 'mongodb://127.0.0.1:27017/' }),
  MONGODB_DATABASE: Type.String({ pattern: '^[A-Za-z0-9_-]{1,63}$', default: 'plexus' }),
  REDIS_URL: RedisUrl,
  PLEXUS_BOOTSTRAP_ADMIN_KEY: Type.Optional(Type.String({ pattern: '^plx_[0-9a-f]{8,32}_[A-Za-z0-9_-]{43}$' })),
  PLEXUS_INTERNAL_TOKEN: Type.Optional(Type.String({ minLength: 32 })),
  CONTROL_PLANE_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1024 * 1024 }),
  LOG_LEVEL: LogLevel
});
export type ControlPlaneConfig = Static<typeof ControlPlaneConfigSchema>;

export function loadControlPlaneConfig(env: NodeJS.ProcessEnv = process.env): ControlPlaneConfig {
  return loadConfig(ControlPlaneConfigSchema, env);
}
