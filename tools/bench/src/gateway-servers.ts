import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, repoRoot, superviseChild, waitUntilReady, type SupervisedChild } from '@plexus/engines';

export interface MqttServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly mqttPort: number;
  /** V8 heap in use, for servers that report it (the gateway's prom-client default metrics). */
  readonly heapUsedBytes?: () => Promise<number>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

/** Resident set size of a process in bytes (VmRSS from /proc, Linux). */
export function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
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
}

/** The real gateway process, as `./plexus start` runs it, on free ports. */
export async function startGatewayProcess(environment: GatewayEnvironment): Promise<MqttServerProcess> {
  const mqttPort = await freePort();
  const metricsPort = await freePort();
  const child = spawn(process.execPath, [join(repoRoot(), 'apps/mqtt-gateway/src/main.ts')], {
    env: {
      ...process.env,
      MQTT_PORT: String(mqttPort),
      GATEWAY_METRICS_PORT: String(metricsPort),
      CONTROL_PLANE_URL: environment.controlPlaneUrl,
      PLEXUS_INTERNAL_TOKEN: environment.internalToken,
      REDIS_URL: environment.redisUrl,
      KINESIS_ENDPOINT: environment.kinesisEndpoint,
      KINESIS_STREAM: environment.kinesisStream,
      LOG_LEVEL: 'warn'
    },
    stdio: ['ignore', 'inherit', 'inherit']
  });
  const supervised = await superviseChild(child, 10_000);
  await whenReady(supervised, 'MQTT gateway', async () => {
    const response = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
    await response.body?.cancel();
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  });
  const heapUsedBytes = async (): Promise<number> => {
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const match = /^plexus_gateway_nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(metrics);
    if (match === null) throw new Error('the gateway reports no plexus_gateway_nodejs_heap_size_used_bytes');
    return Number(match[1]);
  };
  return { name: 'plexus-gateway', pid: supervised.pid, mqttPort, heapUsedBytes, stop: supervised.stop };
}

/** Mosquitto with no persistence and no logging, so it does the least a broker can. */
export async function startMosquittoProcess(scratchDir: string): Promise<MqttServerProcess> {
  const mqttPort = await freePort();
  const configPath = join(scratchDir, 'mosquitto.conf');
  writeFileSync(configPath, [`listener ${mqttPort} 127.0.0.1`, 'allow_anonymous true', 'max_connections -1', 'persistence false', 'log_dest none', ''].join('\n'));
  const child = spawn('/usr/sbin/mosquitto', ['-c', configPath], { stdio: ['ignore', 'inherit', 'inherit'] });
  const supervised = await superviseChild(child, 10_000);
  await whenReady(supervised, 'mosquitto', () => tcpAccepts(mqttPort));
  return { name: 'mosquitto', pid: supervised.pid, mqttPort, stop: supervised.stop };
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
