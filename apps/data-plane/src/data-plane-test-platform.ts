import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { freePort, type SupervisedChild } from '@plexus/engines';
import { createKinesisClient, ensureStream, KinesisProducer, type StreamRecord } from '@plexus/stream';
import { startAppProcess, startControlPlaneProcess, testEngines, uniqueDatabaseName, type ControlPlaneProcess } from '@plexus/test-harness';

const ADMIN_KEY = `plx_d0a1e2e0_${'D'.repeat(43)}`;
const INTERNAL_TOKEN = 'data-plane-e2e-internal-token-0123456789';

export interface RestAnswer<T> {
  readonly status: number;
  readonly body: T;
}

export interface DataPlaneTestPlatform {
  /** A tenant of this platform alone (tests side by side share Redis). */
  readonly tenantId: string;
  /** registry:read and registry:write. */
  readonly registryKey: string;
  /** mqtt:subscribe, telemetry:read, shadow:write and rules:write. */
  readonly appKey: string;
  /** Any key of the tenant with the given scopes. */
  createKey(scopes: string[]): Promise<string>;
  controlPlane<T>(method: string, path: string, key: string, body?: unknown): Promise<RestAnswer<T>>;
  dataPlane<T>(method: string, path: string, key: string | null, body?: unknown): Promise<RestAnswer<T>>;
  registerDevice(deviceId: string, type?: string): Promise<string>;
  /** Appends records to the platform's stream as a gateway would (resolves once the stream has them). */
  putRecords(records: readonly StreamRecord[]): Promise<void>;
  /** Kills the data-plane process with SIGKILL (no drain, no checkpoint) and starts it again on the same data. */
  killAndRestartDataPlane(): Promise<void>;
  connect(clientId: string, password: string, options?: IClientOptions): Promise<MqttClient>;
  stop(): Promise<void>;
}

/**
 * The whole path as processes, as `./plexus start` runs it: control plane, an MQTT gateway and
 * the data plane (reading its own stream on the run's kinesalite, storing under a scratch
 * directory), on free ports.
 */
export async function startDataPlaneTestPlatform(name: string): Promise<DataPlaneTestPlatform> {
  const { mongoUri, redisUrl, kinesisEndpoint } = testEngines();
  const stream = `${name}-${Date.now()}`;
  const kinesis = createKinesisClient({ endpoint: kinesisEndpoint });
  await ensureStream(kinesis, stream, 2);
  const dataDir = mkdtempSync(join(tmpdir(), 'data-plane-'));
  const children: { stop(): Promise<void> }[] = [];
  const clients: MqttClient[] = [];

  const controlPlane: ControlPlaneProcess = await startControlPlaneProcess({
    MONGODB_URI: mongoUri,
    MONGODB_DATABASE: uniqueDatabaseName(`${name}_cp`),
    REDIS_URL: redisUrl,
    PLEXUS_BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    PLEXUS_INTERNAL_TOKEN: INTERNAL_TOKEN
  });
  children.push(controlPlane);
  const call = async <T>(base: string, method: string, path: string, key: string | null, body?: unknown): Promise<RestAnswer<T>> => {
    const headers: Record<string, string> = {};
    if (key !== null) headers['authorization'] = `Bearer ${key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const tenantId = `t${randomBytes(4).toString('hex')}`;
  const clusterNamespace = `plexus:mqtt:${tenantId}`;
  const mustCreate = async <T>(path: string, body: unknown): Promise<T> => {
    const answer = await call<T>(controlPlane.url, 'POST', path, ADMIN_KEY, body);
    if (answer.status !== 201) throw new Error(`POST ${path}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  await mustCreate('/v1/tenants', { id: tenantId, name });
  const createKey = async (scopes: string[]) => (await mustCreate<{ key: string }>(`/v1/tenants/${tenantId}/api-keys`, { name: `key-${scopes.length}`, scopes })).key;
  const registryKey = await createKey(['registry:write', 'registry:read']);
  const appKey = await createKey(['mqtt:subscribe', 'telemetry:read', 'shadow:write', 'rules:write']);

  const shared = { REDIS_URL: redisUrl, KINESIS_ENDPOINT: kinesisEndpoint, KINESIS_STREAM: stream, CONTROL_PLANE_URL: controlPlane.url, PLEXUS_INTERNAL_TOKEN: INTERNAL_TOKEN, CLUSTER_NAMESPACE: clusterNamespace };
  const [mqttPort, metricsPort, dataPlanePort] = [await freePort(), await freePort(), await freePort()];
  const gateway: SupervisedChild = await startAppProcess({
    name: 'gateway',
    entry: 'apps/mqtt-gateway/src/main.ts',
    env: { ...shared, MQTT_PORT: String(mqttPort), GATEWAY_METRICS_PORT: String(metricsPort) },
    readyUrl: `http://127.0.0.1:${metricsPort}/readyz`
  });
  children.push(gateway);
  const dataPlaneUrl = `http://127.0.0.1:${dataPlanePort}`;
  const dataPlaneOptions = {
    name: 'data plane',
    entry: 'apps/data-plane/src/main.ts',
    env: { ...shared, MONGODB_URI: mongoUri, MONGODB_DATABASE: uniqueDatabaseName(`${name}_dp`), DATA_DIR: dataDir, DATA_PLANE_PORT: String(dataPlanePort), RULES_ABSENCE_CHECK_MS: '500' },
    readyUrl: `${dataPlaneUrl}/readyz`
  };
  let dataPlane = await startAppProcess(dataPlaneOptions);
  const producer = new KinesisProducer({ client: kinesis, streamName: stream });

  return {
    tenantId,
    registryKey,
    appKey,
    createKey,
    controlPlane: (method, path, key, body) => call(controlPlane.url, method, path, key, body),
    dataPlane: (method, path, key, body) => call(dataPlaneUrl, method, path, key, body),
    async registerDevice(deviceId, type) {
      const answer = await call<{ credential: { token: string } }>(controlPlane.url, 'POST', '/v1/devices', registryKey, { id: deviceId, ...(type ? { type } : {}) });
      if (answer.status !== 201) throw new Error(`register ${deviceId}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.credential.token;
    },
    async putRecords(records) {
      await Promise.all(records.map((record) => producer.put(record)));
    },
    async killAndRestartDataPlane() {
      process.kill(dataPlane.pid, 'SIGKILL');
      await dataPlane.exited;
      dataPlane = await startAppProcess(dataPlaneOptions);
    },
    async connect(clientId, password, options = {}) {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId, username: clientId, password, protocolVersion: 5, reconnectPeriod: 0, ...options });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.end(true);
      await dataPlane.stop();
      for (const child of children.reverse()) await child.stop();
      await producer.close();
      kinesis.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
}
