import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { createKinesisClient, ensureStream, readStream, type StreamRecord } from '@plexus/stream';
import { startControlPlaneProcess, testEngines, uniqueDatabaseName, type ControlPlaneProcess } from '@plexus/test-harness';
import { loadGatewayConfig } from './config.ts';
import { startGateway, type RunningGateway } from './start-gateway.ts';

const ADMIN_KEY = `plx_e2e00001_${'B'.repeat(43)}`;
const INTERNAL_TOKEN = 'e2e-internal-token-0123456789abcdefghij';

export interface GatewayTestPlatform {
  readonly controlPlane: ControlPlaneProcess;
  readonly gateway: RunningGateway;
  readonly mqttUrl: string;
  /** The variables the gateway ran with, for a test that starts another gateway (a process) on the same platform. */
  readonly gatewayEnv: Readonly<Record<string, string>>;
  /** A tenant of this platform alone: tests running side by side share Redis (revocations, the cluster). */
  readonly tenantId: string;
  /** The gateway cluster's namespace, also this platform's alone. */
  readonly clusterNamespace: string;
  /** The tenant's key with registry:read and registry:write. */
  readonly registryKey: string;
  /** The tenant's key with mqtt:subscribe, for app connections. */
  readonly appKey: string;
  rest<T>(method: string, path: string, key: string, body?: unknown): Promise<T>;
  /** Registers a device of the tenant; returns its first credential. */
  registerDevice(deviceId: string): Promise<{ token: string; id: string }>;
  /** Every record in this platform's stream, de-aggregated. */
  storedRecords(): Promise<StreamRecord[]>;
  stop(): Promise<void>;
}

/**
 * The real path for end-to-end tests: a control-plane process, a stream of its own on the run's
 * kinesalite, a tenant with its keys, and the gateway in this process on free ports
 * (`gatewayEnv` adds to or overrides its variables, e.g. the MQTT_TLS_* files).
 */
export async function startGatewayTestPlatform(name: string, gatewayEnv: NodeJS.ProcessEnv = {}): Promise<GatewayTestPlatform> {
  const { mongoUri, redisUrl, kinesisEndpoint } = testEngines();
  const stream = `${name}-${Date.now()}`;
  const kinesis = createKinesisClient({ endpoint: kinesisEndpoint });
  await ensureStream(kinesis, stream, 2);
  const controlPlane = await startControlPlaneProcess({
    MONGODB_URI: mongoUri,
    MONGODB_DATABASE: uniqueDatabaseName(name),
    REDIS_URL: redisUrl,
    PLEXUS_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    PLEXUS_INTERNAL_TOKEN: INTERNAL_TOKEN
  });
  const rest = async <T>(method: string, path: string, key: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${controlPlane.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    const text = await response.text();
    return (text ? JSON.parse(text) : null) as T;
  };
  const tenantId = `t${randomBytes(4).toString('hex')}`;
  const clusterNamespace = `plexus:mqtt:${tenantId}`;
  await rest('POST', '/v1/tenants', ADMIN_KEY, { id: tenantId, name: name });
  const registryKey = (await rest<{ key: string }>('POST', `/v1/tenants/${tenantId}/api-keys`, ADMIN_KEY, { name: 'ops', scopes: ['registry:write', 'registry:read'] })).key;
  const appKey = (await rest<{ key: string }>('POST', `/v1/tenants/${tenantId}/api-keys`, ADMIN_KEY, { name: 'dashboard', scopes: ['mqtt:subscribe'] })).key;
  const platformEnv = {
    CONTROL_PLANE_URL: controlPlane.url,
    PLEXUS_INTERNAL_TOKEN: INTERNAL_TOKEN,
    REDIS_URL: redisUrl,
    KINESIS_ENDPOINT: kinesisEndpoint,
    KINESIS_STREAM: stream,
    CLUSTER_NAMESPACE: clusterNamespace
  };
  const gateway = await startGateway(loadGatewayConfig({ MQTT_PORT: '0', GATEWAY_METRICS_PORT: '0', ...platformEnv, ...gatewayEnv }), pino({ level: 'warn' }));
  return {
    controlPlane,
    gateway,
    mqttUrl: `mqtt://127.0.0.1:${gateway.mqttPort}`,
    gatewayEnv: platformEnv,
    tenantId,
    clusterNamespace,
    registryKey,
    appKey,
    rest,
    async registerDevice(deviceId) {
      return (await rest<{ credential: { token: string; id: string } }>('POST', '/v1/devices', registryKey, { id: deviceId })).credential;
    },
    async storedRecords() {
      return (await readStream(kinesis, stream)).records;
    },
    async stop() {
      await gateway.stop();
      await controlPlane.stop();
      kinesis.destroy();
    }
  };
}
