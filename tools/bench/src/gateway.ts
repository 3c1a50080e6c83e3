import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureEphemeralEngines, type EphemeralEngines } from '@plexus/engines';
import { formatApiKey, randomSecrets } from '@plexus/registry';
import { createKinesisClient, ensureStream } from '@plexus/stream';
import { startControlPlaneProcess, type ControlPlaneProcess } from '@plexus/test-harness';
import { ClientFleet } from './gateway-client-fleet.ts';
import { registerDevices } from './gateway-devices.ts';
import type { DeviceCredentials } from './gateway-mqtt-client.ts';
import { residentBytes, startGateway, startMosquitto, type MqttServer } from './gateway-servers.ts';
import { measureCpu } from './process-cpu.ts';

// Holds N idle device connections on Plexus's MQTT gateway and reports the server's resident
// memory per connection, then has a few hundred of them publish M QoS 1 telemetry messages and
// reports messages per server CPU-second. The peer, in the same run with the same client, is
// Mosquitto with no persistence: its PUBACK means "in memory", while the gateway's means "in
// Kinesis" (kinesalite here), so the gateway does strictly more per message.
//
// A process may hold at most ~20,000 open files, so beyond --connections-per-server the gateway
// runs MQTT_WORKERS worker processes sharing its port and Mosquitto as many instances on ports of
// their own, and the clients are forked processes of at most --connections-per-client each.

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '10000' },
    messages: { type: 'string', default: '100000' },
    publishers: { type: 'string', default: '200' },
    window: { type: 'string', default: '8' },
    'connect-concurrency': { type: 'string', default: '200' },
    shards: { type: 'string', default: '4' },
    // A process may hold ~20,000 open files: server and client processes each stay below that.
    'connections-per-server': { type: 'string', default: '18000' },
    'connections-per-client': { type: 'string', default: '18000' },
    'gateway-node-args': { type: 'string', default: '' },
    'heap-snapshot-dir': { type: 'string' },
    'skip-mosquitto': { type: 'boolean', default: false }
  }
});
const connectionCount = positiveInteger('connections');
const messageCount = positiveInteger('messages');
const connectConcurrency = positiveInteger('connect-concurrency');
const shardCount = positiveInteger('shards');
const serverCount = Math.ceil(connectionCount / positiveInteger('connections-per-server'));
const perClient = positiveInteger('connections-per-client');
const clientCount = Math.ceil(connectionCount / perClient);
const publisherCount = Math.min(positiveInteger('publishers'), connectionCount, perClient);
const publishWindow = positiveInteger('window');
const heapSnapshotDir = values['heap-snapshot-dir'];
const gatewayNodeArgs = [
  ...(values['gateway-node-args'] === '' ? [] : (values['gateway-node-args'] as string).split(/\s+/)),
  ...(heapSnapshotDir === undefined ? [] : ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heapSnapshotDir}`])
];
const KEEPALIVE_SECONDS = 300;
const CONNECT_TIMEOUT_MS = 60_000;
// Connections opened before the memory baseline (per client process), so code loaded and caches
// filled by the first connects are not charged to the idle connections that follow.
const warmUpPerClient = Math.max(1, Math.min(Math.ceil((100 * serverCount) / clientCount), Math.floor(connectionCount / clientCount / 10)));
const warmUpCount = warmUpPerClient * clientCount;

function positiveInteger(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

interface ServerFigures {
  readonly server: string;
  readonly processes: number;
  readonly pubackMeans: string;
  readonly connectionsHeld: number;
  readonly loadAverage: string;
  readonly connectsPerSecond: number;
  readonly rssBaselineMiB: number;
  readonly rssLoadedMiB: number;
  readonly kibPerIdleConnection: number;
  /** The V8 heap's share of it (not collected first, so garbage counts too), where reported. */
  readonly heapKibPerIdleConnection: number | null;
  readonly connectCpuSeconds: Record<string, number>;
  readonly messagesPerSecond: number;
  readonly messagesPerServerCpuSecond: number;
  /** User records per PutRecords call during the load, for servers that write a stream. */
  readonly recordsPerRequest: number | null;
  readonly cpuSeconds: Record<string, number>;
  readonly loadSeconds: number;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function residentOf(server: MqttServer): number {
  return sum(Object.values(server.processes).map(residentBytes));
}

/** The server's CPU seconds in one total, then every process's. */
function withServerTotal(cpuSeconds: Record<string, number>, server: MqttServer): Record<string, number> {
  const serverTotal = sum(Object.keys(server.processes).map((name) => cpuSeconds[name] ?? 0));
  return Object.keys(server.processes).length === 1 ? cpuSeconds : { [server.name]: serverTotal, ...cpuSeconds };
}

/** Writes a heap snapshot of a process started with --heapsnapshot-signal=SIGUSR2 and waits until it is complete. */
async function writeHeapSnapshot(pid: number, directory: string): Promise<string> {
  const before = new Set(readdirSync(directory));
  process.kill(pid, 'SIGUSR2');
  let lastSize = -1;
  for (;;) {
    await delay(1000);
    const written = readdirSync(directory).find((file) => file.endsWith('.heapsnapshot') && !before.has(file));
    if (written === undefined) continue;
    const size = statSync(join(directory, written)).size;
    if (size > 0 && size === lastSize) return join(directory, written);
    lastSize = size;
  }
}

async function measureServer(server: MqttServer, run: number, pubackMeans: string, devices: readonly DeviceCredentials[], otherPids: Record<string, number>): Promise<ServerFigures> {
  const fleetOptions = { ports: server.ports, keepaliveSeconds: KEEPALIVE_SECONDS, concurrency: connectConcurrency, connectTimeoutMs: CONNECT_TIMEOUT_MS };
  const clients = ClientFleet.start(devices, perClient, run);
  try {
    await clients.connectNext(warmUpPerClient, fleetOptions);
    const pids = { ...server.processes, ...otherPids, bench: process.pid, ...clients.pids };
    const serverCpu = (cpuSeconds: Record<string, number>) => sum(Object.keys(server.processes).map((name) => cpuSeconds[name] ?? 0));
    const rssBaseline = residentOf(server);
    const heapBaseline = await server.heapUsedBytes?.();
    const connectStarted = performance.now();
    const connecting = await measureCpu(pids, () => clients.connectNext(perClient, fleetOptions));
    const held = connecting.result;
    const idleCount = held - warmUpCount;
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    const rssLoaded = residentOf(server);
    const heapLoaded = await server.heapUsedBytes?.();
    const loadAverage = loadavg()
      .map((load) => load.toFixed(2))
      .join(' ');
    console.log(`  ${server.name}: ${held.toLocaleString('en')} connections held, load average ${loadAverage}`);
    if (heapSnapshotDir !== undefined && server.heapUsedBytes !== undefined) {
      const [, firstWorker] = Object.entries(server.processes).find(([name]) => !name.endsWith('primary')) as [string, number];
      console.log(`  heap snapshot: ${await writeHeapSnapshot(firstWorker, heapSnapshotDir)}`);
    }
    const streamBefore = await server.streamCounters?.();
    const load = await measureCpu(pids, () => clients.load(publisherCount, messageCount, publishWindow));
    const streamAfter = await server.streamCounters?.();
    await clients.closeConnections();
    // /proc counts in 10 ms ticks; a run too short to register one tick has no rate to report.
    const loadCpu = Math.max(serverCpu(load.cpuSeconds), 0.01);
    return {
      server: server.name,
      processes: Object.keys(server.processes).length,
      pubackMeans,
      connectionsHeld: held,
      loadAverage,
      connectsPerSecond: Math.round(idleCount / connectSeconds),
      rssBaselineMiB: round1(rssBaseline / 2 ** 20),
      rssLoadedMiB: round1(rssLoaded / 2 ** 20),
      kibPerIdleConnection: round1((rssLoaded - rssBaseline) / 1024 / idleCount),
      heapKibPerIdleConnection: heapBaseline === undefined || heapLoaded === undefined ? null : round1((heapLoaded - heapBaseline) / 1024 / idleCount),
      connectCpuSeconds: roundAll(withServerTotal(connecting.cpuSeconds, server)),
      messagesPerSecond: Math.round(load.result.acknowledged / load.result.seconds),
      messagesPerServerCpuSecond: Math.round(load.result.acknowledged / loadCpu),
      recordsPerRequest:
        streamBefore === undefined || streamAfter === undefined
          ? null
          : round1((streamAfter.records - streamBefore.records) / Math.max(1, streamAfter.requests - streamBefore.requests)),
      cpuSeconds: roundAll(withServerTotal(load.cpuSeconds, server)),
      loadSeconds: round1(load.result.seconds)
    };
  } finally {
    await clients.stop();
  }
}

const started: { stop(): Promise<void> }[] = [];
let engines: EphemeralEngines | undefined;
const scratch = mkdtempSync(join(tmpdir(), 'plexus-bench-gateway-'));
try {
  engines = await ensureEphemeralEngines();
  const kinesalite = engines.started.find((engine) => engine.name === 'kinesalite');
  const adminKey = formatApiKey('be7c0002', randomSecrets(1)[0] as string);
  const internalToken = `bench-internal-${randomSecrets(1)[0] as string}`;
  const controlPlane: ControlPlaneProcess = await startControlPlaneProcess({
    MONGODB_URI: engines.mongoUri,
    MONGODB_DATABASE: `bench_gateway_${Date.now()}`,
    REDIS_URL: engines.redisUrl,
    PLEXUS_BOOTSTRAP_ADMIN_KEY: adminKey,
    PLEXUS_INTERNAL_TOKEN: internalToken
  });
  started.push(controlPlane);

  const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  const tenant = await fetch(`${controlPlane.url}/v1/tenants`, { method: 'POST', headers: admin, body: JSON.stringify({ id: 'bench', name: 'Bench' }) });
  if (!tenant.ok) throw new Error(`creating the tenant answered ${tenant.status}: ${await tenant.text()}`);
  const keyResponse = await fetch(`${controlPlane.url}/v1/tenants/bench/api-keys`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ name: 'bench', scopes: ['registry:write', 'registry:read'] })
  });
  if (!keyResponse.ok) throw new Error(`creating the API key answered ${keyResponse.status}: ${await keyResponse.text()}`);
  const { key } = (await keyResponse.json()) as { key: string };
  const devices = await registerDevices(controlPlane.url, key, connectionCount);

  const kinesisStream = `bench-gateway-${Date.now()}`;
  const kinesis = createKinesisClient({ endpoint: engines.kinesisEndpoint });
  await ensureStream(kinesis, kinesisStream, shardCount);
  kinesis.destroy();

  console.log(
    `gateway: ${connectionCount} idle connections (${warmUpCount} warm-up before the baseline) over ${serverCount} server and ${clientCount} client processes, ` +
      `${messageCount} QoS 1 messages from ${publisherCount} devices, window ${publishWindow}, ${shardCount} shards, ${cpus().length} cores, ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB, gateway node args [${gatewayNodeArgs.join(' ')}]`
  );

  const gateway = await startGateway({
    controlPlaneUrl: controlPlane.url,
    internalToken,
    redisUrl: engines.redisUrl,
    kinesisEndpoint: engines.kinesisEndpoint,
    kinesisStream,
    nodeArgs: gatewayNodeArgs,
    workers: serverCount
  });
  started.push(gateway);
  const gatewayOthers: Record<string, number> = { 'control-plane': controlPlane.pid };
  if (kinesalite !== undefined) gatewayOthers['kinesalite'] = kinesalite.pid;
  // The control plane answers the gateway's batched CONNECT authentication from the registry.
  const registryEngine = engines.started.find((engine) => engine.name !== 'redis' && engine.name !== 'kinesalite');
  if (registryEngine !== undefined) gatewayOthers[registryEngine.name] = registryEngine.pid;
  const plexus = await measureServer(gateway, 1, 'record in Kinesis', devices, gatewayOthers);
  // Stopped before the peer runs so the two never share the cores.
  await gateway.stop();

  let mosquitto: ServerFigures | null = null;
  if (!values['skip-mosquitto']) {
    const brokers = await startMosquitto(scratch, serverCount);
    started.push(brokers);
    mosquitto = await measureServer(brokers, 2, 'in memory only', devices, {});
    await brokers.stop();
  }
  const compared = mosquitto === null ? [plexus] : [plexus, mosquitto];

  const row = (label: string, pick: (figures: ServerFigures) => string): string => `  ${label.padEnd(44)}${compared.map((figures) => pick(figures).padStart(24)).join('')}`;
  console.log(row('', (f) => f.server));
  console.log(row('PUBACK means', (f) => f.pubackMeans));
  console.log(row('connections held', (f) => f.connectionsHeld.toLocaleString('en')));
  console.log(row(`connects/s (${connectConcurrency} in flight per client)`, (f) => f.connectsPerSecond.toLocaleString('en')));
  console.log(row('RSS before / after (MiB)', (f) => `${f.rssBaselineMiB} / ${f.rssLoadedMiB}`));
  console.log(row('KiB per idle connection (server RSS)', (f) => `${f.kibPerIdleConnection}`));
  console.log(row('  of which V8 heap used (no GC forced)', (f) => (f.heapKibPerIdleConnection === null ? '-' : `${f.heapKibPerIdleConnection}`)));
  console.log(row('QoS 1 messages/s', (f) => f.messagesPerSecond.toLocaleString('en')));
  console.log(row('messages per server CPU-second', (f) => f.messagesPerServerCpuSecond.toLocaleString('en')));
  console.log(row('user records per PutRecords', (f) => (f.recordsPerRequest === null ? '-' : `${f.recordsPerRequest}`)));
  for (const figures of compared) console.log(`  CPU s while connecting ${connectionCount - warmUpCount} to ${figures.server}: ${JSON.stringify(figures.connectCpuSeconds)}`);
  for (const figures of compared) console.log(`  CPU s during the ${figures.server} load (${figures.loadSeconds} s): ${JSON.stringify(figures.cpuSeconds)}`);
  console.log(
    JSON.stringify({
      benchmark: 'gateway',
      connections: connectionCount,
      messages: messageCount,
      publishers: publisherCount,
      window: publishWindow,
      shards: shardCount,
      serverProcesses: serverCount,
      clientProcesses: clientCount,
      gatewayNodeArgs,
      plexus,
      mosquitto
    })
  );
} finally {
  for (const running of started.reverse()) await running.stop();
  await engines?.stop();
  rmSync(scratch, { recursive: true, force: true });
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function roundAll(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, round1(value)]));
}
