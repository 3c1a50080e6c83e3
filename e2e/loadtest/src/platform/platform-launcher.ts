import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { loadtestPlatformErrors } from './errors.ts';
import { sampleProcessTree } from './process-usage.ts';

export { gatewayWorkersFor } from './gateway-sizing.ts';

export interface PlatformUrls {
  readonly controlPlane: string;
  readonly dataPlane: string;
  readonly gatewayMetrics: string;
  /** `mqtt://host:port` */
  readonly mqtt: string;
}

/** Ports of a platform this run starts; unset ones keep `./plexus start`'s defaults (ARCHITECTURE.md). */
export interface PlatformPorts {
  readonly controlPlane?: number;
  readonly dataPlane?: number;
  readonly mqtt?: number;
  readonly mqttTls?: number;
  readonly gatewayMetrics?: number;
  readonly redis?: number;
  readonly mongo?: number;
  readonly kinesis?: number;
}

export interface StartPlatformOptions {
  /** The repository root. */
  readonly root: string;
  /** Where the platform keeps its state, engines' data and logs (PLEXUS_DATA_DIR). */
  readonly dataDir: string;
  readonly ports?: PlatformPorts;
  /** MQTT_WORKERS: see gatewayWorkersFor. */
  readonly gatewayWorkers: number;
  /** Added to this process's environment; REDIS_URL, MONGODB_URI and KINESIS_ENDPOINT in either reach the platform as external engines. */
  readonly env?: NodeJS.ProcessEnv;
  readonly readyTimeoutMs?: number;
  /** How long stop() waits after SIGINT before SIGKILL. */
  readonly stopTimeoutMs?: number;
  /** Every line the platform prints, e.g. to a run log. */
  readonly onOutput?: (line: string) => void;
}

export interface StartedPlatform {
  readonly urls: PlatformUrls;
  readonly adminKey: string;
  /** The `plexus start` process; every platform process descends from it. */
  readonly pid: number;
  /** The platform's processes alive now: `plexus start`, its engines, planes and gateway workers. */
  pids(): number[];
  /** SIGINT (a clean stop of everything), then SIGKILL of every process left after the timeout. */
  stop(): Promise<void>;
}

export interface ReadinessAnswer {
  readonly name: string;
  readonly url: string;
  readonly ready: boolean;
  /** Why it is not ready: the HTTP status or the connection error. */
  readonly problem?: string;
}

const HOST = '127.0.0.1';
const OUTPUT_TAIL_LINES = 40;
const READY_POLL_MS = 250;

export function platformUrls(ports: PlatformPorts = {}): PlatformUrls {
  return {
    controlPlane: `http://${HOST}:${ports.controlPlane ?? 8080}`,
    dataPlane: `http://${HOST}:${ports.dataPlane ?? 8081}`,
    gatewayMetrics: `http://${HOST}:${ports.gatewayMetrics ?? 9100}`,
    mqtt: `mqtt://${HOST}:${ports.mqtt ?? 1883}`
  };
}

type ReadinessUrls = Pick<PlatformUrls, 'controlPlane' | 'dataPlane' | 'gatewayMetrics'>;

/** True when the control plane, the data plane and the gateway all answer GET /readyz with 200. */
export async function detectRunningPlatform(urls: ReadinessUrls): Promise<boolean> {
  return (await platformReadiness(urls)).every((answer) => answer.ready);
}

/** Each plane's answer to GET /readyz. */
export async function platformReadiness(urls: ReadinessUrls): Promise<ReadinessAnswer[]> {
  const targets = [
    { name: 'control plane', url: `${urls.controlPlane}/readyz` },
    { name: 'data plane', url: `${urls.dataPlane}/readyz` },
    { name: 'mqtt gateway', url: `${urls.gatewayMetrics}/readyz` }
  ];
  return Promise.all(targets.map(async ({ name, url }): Promise<ReadinessAnswer> => ({ name, url, ...(await readiness(url)) })));
}

async function readiness(url: string): Promise<{ ready: boolean; problem?: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200 ? { ready: true } : { ready: false, problem: `HTTP ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { ready: false, problem: cause?.code ?? (error as Error).message };
  }
}

/**
 * The admin key of a platform this run did not start: PLEXUS_ADMIN_KEY, else the bootstrap key
 * `./plexus start` keeps in its data directory.
 */
export function adminKeyOfRunningPlatform(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = env['PLEXUS_ADMIN_KEY']?.trim();
  if (given) return given;
  // Resolved as the platform runner resolves it: a relative PLEXUS_DATA_DIR is under the repository.
  const file = join(resolve(root, env['PLEXUS_DATA_DIR']?.trim() || '.data'), 'bootstrap-admin-key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw loadtestPlatformErrors.adminKeyMissing(`${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * Runs the platform runner (`tools/platform/src/main.ts start`, what `./plexus start` executes
 * after its install steps: a run must not install packages in a tree others may be using) in a
 * process group of its own, and resolves once all three planes answer /readyz.
 */
export async function startPlatform(options: StartPlatformOptions): Promise<StartedPlatform> {
  const inherited = { ...process.env, ...options.env };
  // A port the environment already moves is where the runner will listen, unless the caller says otherwise.
  const ports = { ...portsFromEnv(inherited), ...options.ports };
  const urls = platformUrls(ports);
  const child = spawn(process.execPath, [join(options.root, 'tools', 'platform', 'src', 'main.ts'), 'start'], {
    cwd: options.root,
    env: { ...inherited, ...portEnv(ports), PLEXUS_DATA_DIR: options.dataDir, MQTT_WORKERS: String(options.gatewayWorkers) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  });
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      tail.push(line);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
      options.onOutput?.(line);
    });
  }
  let exitDescription: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitDescription = signal === null ? `exit code ${code}` : `signal ${signal}`;
      resolve();
    });
  });
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', reject);
  });
  const pids = () => sampleProcessTree(pid).map((sample) => sample.pid);
  const stop = stopper(pid, pids, exited, () => exitDescription !== undefined, options.stopTimeoutMs ?? 60_000);

  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exitDescription !== undefined) throw loadtestPlatformErrors.platformExited(exitDescription, tail.join('\n'));
    const answers = await platformReadiness(urls);
    if (answers.every((answer) => answer.ready)) break;
    if (Date.now() >= deadline) {
      await stop();
      const waiting = answers.filter((answer) => !answer.ready).map((answer) => `${answer.name}: ${answer.problem}`);
      throw loadtestPlatformErrors.platformNotReady(readyTimeoutMs / 1000, waiting.join(', '), tail.join('\n'));
    }
    await Promise.race([exited, delay(READY_POLL_MS)]);
  }

  let adminKey: string;
  try {
    adminKey = readFileSync(join(options.dataDir, 'bootstrap-admin-key'), 'utf8').trim();
  } catch (error) {
    await stop();
    throw loadtestPlatformErrors.adminKeyMissing(`the platform started but ${join(options.dataDir, 'bootstrap-admin-key')} cannot be read (${(error as Error).message})`);
  }
  return { urls, adminKey, pid, pids, stop };
}

const PORT_VARIABLES: ReadonlyArray<readonly [keyof PlatformPorts, string]> = [
  ['controlPlane', 'CONTROL_PLANE_PORT'],
  ['dataPlane', 'DATA_PLANE_PORT'],
  ['mqtt', 'MQTT_PORT'],
  ['mqttTls', 'MQTT_TLS_PORT'],
  ['gatewayMetrics', 'GATEWAY_METRICS_PORT'],
  ['redis', 'REDIS_PORT'],
  ['mongo', 'MONGO_PORT'],
  ['kinesis', 'KINESIS_PORT']
];

function portEnv(ports: PlatformPorts): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, variable] of PORT_VARIABLES) {
    const port = ports[key];
    if (port !== undefined) env[variable] = String(port);
  }
  return env;
}

/** The ports the runner's own variables set; a malformed one is left for the runner to refuse by name. */
export function portsFromEnv(env: NodeJS.ProcessEnv): PlatformPorts {
  const ports: Partial<Record<keyof PlatformPorts, number>> = {};
  for (const [key, variable] of PORT_VARIABLES) {
    const raw = env[variable];
    if (raw !== undefined && /^\d+$/.test(raw)) ports[key] = Number(raw);
  }
  return ports;
}

function stopper(pid: number, pids: () => number[], exited: Promise<void>, hasExited: () => boolean, timeoutMs: number): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    if (hasExited()) return;
    // Collected before the signal: the engines and apps run in process groups of their own, so
    // if the runner has to be killed they must be found and killed one by one.
    let tree = pids();
    signalGroup(pid, 'SIGINT');
    const clean = await Promise.race([exited.then(() => true), delay(timeoutMs).then(() => false)]);
    if (clean) return;
    tree = [...new Set([...tree, ...pids()])];
    signalGroup(pid, 'SIGKILL');
    for (const member of tree) signalProcess(member, 'SIGKILL');
    await exited;
  };
  return () => (stopping ??= stop());
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  signalProcess(-pid, signal);
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
