import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureEphemeralEngines, type EphemeralEngines } from '@plexus/engines';
import { formatApiKey, randomSecrets } from '@plexus/registry';
import { createKinesisClient, ensureStream } from '@plexus/stream';
import { startControlPlaneProcess, type ControlPlaneProcess } from '@plexus/test-harness';
import { closeConnections, openConnections } from './gateway-connection-fleet.ts';
import { registerDevices } from './gateway-devices.ts';
import type { DeviceCredentials } from './gateway-mqtt-client.ts';
import { runQos1Load } from './gateway-qos1-load.ts';
import { residentBytes, startGatewayProcess, startMosquittoProcess, type MqttServerProcess } from './gateway-servers.ts';
import { measureCpu } from './process-cpu.ts';

// Holds N idle device connections on Plexus's MQTT gateway and reports the server's resident
// memory per connection, then has a few hundred of them publish M QoS 1 telemetry messages and
// reports messages per server CPU-second. The peer, in the same run with the same client, is
// Mosquitto with no persistence: its PUBACK means "in memory", while the gateway's means "in
// Kinesis" (kinesalite here), so the gateway does strictly more per message.

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '10000' },
    messages: { type: 'string', default: '100000' },
    publishers: { type: 'string', default: '200' },
    window: { type: 'string', default: '8' },
    'connect-concurrency': { type: 'string', default: '200' },
    shards: { type: 'string', default: '4' }
  }
});
const connectionCount = positiveInteger('connections');
const messageCount = positiveInteger('messages');
const publisherCount = Math.min(positiveInteger('publishers'), connectionCount);
const publishWindow = positiveInteger('window');
const connectConcurrency = positiveInteger('connect-concurrency');
const shardCount = positiveInteger('shards');
const KEEPALIVE_SECONDS = 300;
const CONNECT_TIMEOUT_MS = 30_000;
// Connections opened before the memory baseline, so code loaded and caches filled by the first
// connects are not charged to the idle connections that follow.
const warmUpCount = Math.min(100, Math.floor(connectionCount / 10));

function positiveInteger(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

interface ServerFigures {
  readonly server: string;
  readonly pubackMeans: string;
  readonly connectsPerSecond: number;
  readonly rssBaselineMiB: number;
  readonly rssLoadedMiB: number;
  readonly kibPerIdleConnection: number;
  /** The V8 heap's share of it (not collected first, so garbage counts too), where reported. */
  readonly heapKibPerIdleConnection: number | null;
  readonly connectCpuSeconds: Record<string, number>;
  readonly messagesPerSecond: number;
  readonly messagesPerServerCpuSecond: number;
  readonly cpuSeconds: Record<string, number>;
  readonly loadSeconds: number;
}

async function measureServer(server: MqttServerProcess, pubackMeans: string, devices: readonly DeviceCredentials[], otherPids: Record<string, number>): Promise<ServerFigures> {
  const fleet = { port: server.mqttPort, keepaliveSeconds: KEEPALIVE_SECONDS, concurrency: connectConcurrency, connectTimeoutMs: CONNECT_TIMEOUT_MS };
  const warmUp = await openConnections(devices.slice(0, warmUpCount), fleet);
  const pids = { [server.name]: server.pid, ...otherPids, bench: process.pid };
  const rssBaseline = residentBytes(server.pid);
  const heapBaseline = await server.heapUsedBytes?.();
  const connectStarted = performance.now();
  const connecting = await measureCpu(pids, () => openConnections(devices.slice(warmUpCount), fleet));
  const idle = connecting.result;
  const connectSeconds = (performance.now() - connectStarted) / 1000;
  const rssLoaded = residentBytes(server.pid);
  const heapLoaded = await server.heapUsedBytes?.();
  const all = [...warmUp, ...idle];
  try {
    const load = await measureCpu(pids, () => runQos1Load(all.slice(0, publisherCount), messageCount, publishWindow));
    // /proc counts in 10 ms ticks; a run too short to register one tick has no rate to report.
    const serverCpu = Math.max(load.cpuSeconds[server.name] as number, 0.01);
    return {
      server: server.name,
      pubackMeans,
      connectsPerSecond: Math.round(idle.length / connectSeconds),
      rssBaselineMiB: round1(rssBaseline / 2 ** 20),
      rssLoadedMiB: round1(rssLoaded / 2 ** 20),
      kibPerIdleConnection: round1((rssLoaded - rssBaseline) / 1024 / idle.length),
      heapKibPerIdleConnection: heapBaseline === undefined || heapLoaded === undefined ? null : round1((heapLoaded - heapBaseline) / 1024 / idle.length),
      connectCpuSeconds: roundAll(connecting.cpuSeconds),
      messagesPerSecond: Math.round(load.result.acknowledged / load.result.seconds),
      messagesPerServerCpuSecond: Math.round(load.result.acknowledged / serverCpu),
      cpuSeconds: roundAll(load.cpuSeconds),
      loadSeconds: round1(load.result.seconds)
    };
  } finally {
    closeConnections(all);
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
    `gateway: ${connectionCount} idle connections (${warmUpCount} warm-up before the baseline), ${messageCount} QoS 1 messages from ${publisherCount} devices, ` +
      `window ${publishWindow}, ${shardCount} shards, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`
  );

  const gateway = await startGatewayProcess({
    controlPlaneUrl: controlPlane.url,
    internalToken,
    redisUrl: engines.redisUrl,
    kinesisEndpoint: engines.kinesisEndpoint,
    kinesisStream
  });
  started.push(gateway);
  const gatewayOthers: Record<string, number> = { 'control-plane': controlPlane.pid };
  if (kinesalite !== undefined) gatewayOthers['kinesalite'] = kinesalite.pid;
  // The control plane answers the gateway's batched CONNECT authentication from the registry.
  const registryEngine = engines.started.find((engine) => engine.name !== 'redis' && engine.name !== 'kinesalite');
  if (registryEngine !== undefined) gatewayOthers[registryEngine.name] = registryEngine.pid;
  const plexus = await measureServer(gateway, 'record in Kinesis', devices, gatewayOthers);
  // Stopped before the peer runs so the two never share the cores or the client's file limit.
  await gateway.stop();

  const mosquittoProcess = await startMosquittoProcess(scratch);
  started.push(mosquittoProcess);
  const mosquitto = await measureServer(mosquittoProcess, 'in memory only', devices, {});
  await mosquittoProcess.stop();

  const row = (label: string, pick: (figures: ServerFigures) => string): string => `  ${label.padEnd(44)}${pick(plexus).padStart(22)}${pick(mosquitto).padStart(22)}`;
  console.log(row('', (f) => f.server));
  console.log(row('PUBACK means', (f) => f.pubackMeans));
  console.log(row(`connects/s (${connectConcurrency} in flight)`, (f) => f.connectsPerSecond.toLocaleString('en')));
  console.log(row('RSS before / after (MiB)', (f) => `${f.rssBaselineMiB} / ${f.rssLoadedMiB}`));
  console.log(row('KiB per idle connection (server RSS)', (f) => `${f.kibPerIdleConnection}`));
  console.log(row('  of which V8 heap used (no GC forced)', (f) => (f.heapKibPerIdleConnection === null ? '-' : `${f.heapKibPerIdleConnection}`)));
  console.log(row('QoS 1 messages/s', (f) => f.messagesPerSecond.toLocaleString('en')));
  console.log(row('messages per server CPU-second', (f) => f.messagesPerServerCpuSecond.toLocaleString('en')));
  for (const figures of [plexus, mosquitto]) console.log(`  CPU s while connecting ${connectionCount - warmUpCount} to ${figures.server}: ${JSON.stringify(figures.connectCpuSeconds)}`);
  for (const figures of [plexus, mosquitto]) console.log(`  CPU s during the ${figures.server} load (${figures.loadSeconds} s): ${JSON.stringify(figures.cpuSeconds)}`);
  console.log(
    JSON.stringify({
      benchmark: 'gateway',
      connections: connectionCount,
      messages: messageCount,
      publishers: publisherCount,
      window: publishWindow,
      shards: shardCount,
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
