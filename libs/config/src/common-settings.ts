import { Type } from 'typebox';

// Settings every Plexus process reads the same way, declared once.

export const LogLevel = Type.Union(
  [
    Type.Literal('fatal'),
    Type.Literal('error'),
    Type.Literal('warn'),
    Type.Literal('info'),
    Type.Literal('debug'),
    Type.Literal('trace'),
    Type.Literal('silent')
  ],
  { default: 'info' }
);

export const RedisUrl = Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' });

/** CLUSTER_NAMESPACE: the MQTT gateways and the services that publish through them must agree on it. */
export const ClusterNamespace = Type.String({
  pattern: '^[A-Za-z0-9:._-]{1,100}$',
  default: 'plexus:mqtt',
  description: 'Prefix of the Redis keys and channels the gateway cluster shares; gateways and the services that publish through them use the same one.'
});

/**
 * Loads an app's configuration at start; a bad value ends the process with a message naming the
 * variable, instead of a stack trace.
 */
export function loadConfigOrExit<T>(app: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    console.error(`${app}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
