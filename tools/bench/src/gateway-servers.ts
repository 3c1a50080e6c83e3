import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, repoRoot, superviseChild, waitUntilReady, type SupervisedChild } from '@plexus/engines';

/** An MQTT server under test: one or more processes, one or more listening ports. */
export interface MqttServer {
  readonly name: string;
  /** Device i connects to ports[i mod length]. */
  readonly ports: readonly number[];
  /** Every process of the server, by name, for /proc readings. */
  readonly processes: Readonly<Record<string, number>>;
  /** V8 heap in use over all processes, for servers that report it (the gateway's prom-client default metrics). */
  readonly heapUsedBytes?: () => Promise<number>;
  /** PutRecords calls answered and user records accepted so far, for servers that write a stream. */
  readonly streamCounters?: () => Promise<{ readonly requests: number; readonly records: number }>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/** Resident set size of a process in bytes (VmRSS from /proc, Linux). */
export function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

function childPids(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .split(' ')
    .filter((field) => field !== '')
    .map(Number);
}

async function whenReady(child: SupervisedChild, name: string, check: () => Promise<void>): Promise<void> {
  try {
    await waitUntilReady(child, {
      check,
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 100,
      exitedEarly: (exit) => new Error(`${name} exited before it was ready (${exit.signal ?? exit.code})`),
      timedOut: (lastProblem) => new Error(`${name} not ready within ${READY_TIMEOUT_MS / 1000} s: ${lastProblem}`)
    });
  } catch (error) {
    await child.stop();
    throw error;
  }
}

export interface GatewayEnvironment {
  readonly controlPlaneUrl: string;
  readonly internalToken: string;
  readonly redisUrl: string;
  readonly kinesisEndpoint: string;
  readonly kinesisStream: string;
  /** Node options for the gateway's processes, e.g. V8 heap flags or `--cpu-prof`. */
  readonly nodeArgs: readonly string[];
  /** MQTT_WORKERS: worker processes sharing the MQTT port (reusePort); 1 runs the gateway in one process. */
  readonly workers: number;
}

/** The real gateway, as `./plexus start` runs it, on free ports. */
export async function startGateway(environment: GatewayEnvironment): Promise<MqttServer> {
  const mqttPort = await freePort();
  const metricsPort = await freePort();
  const child = spawn(process.execPath, [...environment.nodeArgs, join(repoRoot(), 'apps/mqtt-gateway/src/main.ts')], {
    env: {
      ...process.env,
      MQTT_PORT: String(mqttPort),
      MQTT_WORKERS: String(environment.workers),
      GATEWAY_METRICS_PORT: String(metricsPort),
      CONTROL_PLANE_URL: environment.controlPlaneUrl,
      PLEXUS_INTERNAL_TOKEN: environment.internalToken,
      REDIS_URL: environment.redisUrl,
      KINESIS_ENDPOINT: environment.kinesisEndpoint,
      KINESIS_STREAM: environment.kinesisStream,
      // A storm of first-time CONNECTs is authenticated by the control plane from FerretDB on the
      // same two cores; at 100k devices some answers take longer than the default 10 s, and the
      // gateway would drop those connections as never having connected.
      MQTT_CONNECT_TIMEOUT_MS: '120000',
      LOG_LEVEL: 'warn'
    },
    stdio: ['ignore', 'inherit', 'inherit']
  });
  const supervised = await superviseChild(child, 20_000);
  await whenReady(supervised, 'MQTT gateway', async () => {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
    await response.body?.cancel();
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  });
  const processes: Record<string, number> = {};
  if (environment.workers === 1) processes['plexus-gateway'] = supervised.pid;
  else {
    processes['plexus-gateway-primary'] = supervised.pid;
    childPids(supervised.pid).forEach((pid, index) => (processes[`plexus-gateway-${index}`] = pid));
  }
  // With workers, the primary serves the sum of the workers' metrics.
  const metric = async (name: string): Promise<number> => {
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?(?:e\\+\\d+)?)$`, 'm').exec(metrics);
    if (match === null) throw new Error(`the gateway reports no ${name}`);
    return Number(match[1]);
  };
  return {
    name: environment.workers === 1 ? 'plexus-gateway' : `plexus-gateway ×${environment.workers}`,
    ports: [mqttPort],
    processes,
    heapUsedBytes: () => metric('plexus_gateway_nodejs_heap_size_used_bytes'),
    streamCounters: async () => ({
      requests: await metric('plexus_gateway_stream_batches_total'),
      records: await metric('plexus_gateway_stream_acknowledged_records_total')
    }),
    stop: supervised.stop
  };
}

/**
 * Mosquitto with no persistence and no logging, so it does the least a broker can. One process
 * is bound by the same open-file limit as any other, so `instances` of them run side by side,
 * each on its own port.
 */
export async function startMosquitto(scratchDir: string, instances: number): Promise<MqttServer> {
  const ports: number[] = [];
  const processes: Record<string, number> = {};
  const children: SupervisedChild[] = [];
  const stop = async () => {
    for (const child of children) await child.stop();
  };
  try {
    for (let index = 0; index < instances; index++) {
      const name = instances === 1 ? 'mosquitto' : `mosquitto-${index}`;
      const mqttPort = await freePort();
      const configPath = join(scratchDir, `${name}.conf`);
      writeFileSync(configPath, [`listener ${mqttPort} 127.0.0.1`, 'allow_anonymous true', 'max_connections -1', 'persistence false', 'log_dest none', ''].join('\n'));
      const child = spawn('/usr/sbin/mosquitto', ['-c', configPath], { stdio: ['ignore', 'inherit', 'inherit'] });
      const supervised = await superviseChild(child, 10_000);
      children.push(supervised);
      await whenReady(supervised, name, () => tcpAccepts(mqttPort));
      ports.push(mqttPort);
      processes[name] = supervised.pid;
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: instances === 1 ? 'mosquitto' : `mosquitto ×${instances}`, ports, processes, stop };
}

function tcpAccepts(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}
