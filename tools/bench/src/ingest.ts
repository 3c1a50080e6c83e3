import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureEphemeralEngines, type EphemeralEngines } from '@plexus/engines';
import { formatApiKey, randomSecrets } from '@plexus/registry';
import { createKinesisClient, ensureStream } from '@plexus/stream';
import { startControlPlaneProcess, type ControlPlaneProcess } from '@plexus/test-harness';
import { registerDevices } from './gateway-devices.ts';
import { checkStoredPoints, pollPoints, startDataPlaneProcess } from './ingest-data-plane.ts';
import { writeToBareStore } from './ingest-peer.ts';
import { printProfileSummary, summarizeCpuProfile, type ProfileWindow } from './ingest-profile-summary.ts';
import { fillStream, telemetryRecords } from './ingest-records.ts';
import { processCpuSeconds } from './process-cpu.ts';

// Points per second from the stream to the store, per data-plane CPU-second. The stream is
// filled first, as the gateway would fill it, so the data plane's figures hold nothing of the
// producer's; then the real data-plane process reads it (stream consumer, control-plane lookups,
// validation, embedded LMDB store) until its plexus_ingest_points_total reaches the count, and
// every device's stored count is checked through POST /v1/telemetry/counts. The peer, in the same
// run, writes the same points straight to a fresh embedded store in this process: the gap is
// what the stream consumer and the ingest path cost over the bare store. With AEROSPIKE_HOSTS
// set, the data plane runs a second time against Aerospike.

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '1000' },
    points: { type: 'string', default: '200000' },
    shards: { type: 'string', default: '4' },
    'payload-bytes': { type: 'string', default: '120' },
    'peer-batch': { type: 'string', default: '500' },
    'poll-ms': { type: 'string', default: '1000' },
    'timeout-s': { type: 'string', default: '900' },
    'cpu-prof-dir': { type: 'string' },
    /** More Node options for the data plane, e.g. `--max-semi-space-size=16`. */
    'data-plane-node-options': { type: 'string', default: '' },
    /** The Aerospike server's process, when it runs on this machine, for its CPU-seconds. */
    'aerospike-pid': { type: 'string' },
    'skip-peer': { type: 'boolean', default: false }
  }
});
const deviceCount = positiveInteger('devices');
const pointCount = positiveInteger('points');
const shardCount = positiveInteger('shards');
const payloadBytes = positiveInteger('payload-bytes');
const peerBatch = positiveInteger('peer-batch');
const pollMs = positiveInteger('poll-ms');
const timeoutMs = positiveInteger('timeout-s') * 1000;
const cpuProfileDir = values['cpu-prof-dir'];
const TENANT = 'bench';
/** The data plane's default (TELEMETRY_RETENTION_DAYS 30), which the peer writes with too. */
const RETENTION_SECONDS = 30 * 24 * 3600;
const PROGRESS_EVERY_MS = 10_000;

function positiveInteger(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

interface DataPlaneFigures {
  readonly label: string;
  readonly fillSeconds: number;
  /** From spawning the process until the count is reached, and CPU in that span. */
  readonly fromStart: { readonly seconds: number; readonly cpuSeconds: number };
  /** From the moment /readyz answered (the consumer starts then) until the count is reached. */
  readonly fromReady: { readonly seconds: number; readonly cpuSeconds: number; readonly points: number };
  /** Other processes' CPU seconds from ready until the count is reached. */
  readonly othersCpuSeconds: Record<string, number>;
  readonly stored: number;
  readonly devicesOff: number;
  readonly deadLetters: number;
  /** Shard leases the worker lost and batches it had to retry: a sound run has none. */
  readonly leaseLosses: number;
  readonly batchFailures: number;
  readonly exit: string;
  readonly loadAverage: string;
  /** The steady-state span on the monotonic clock, to cut a CPU profile to it. */
  readonly window: ProfileWindow;
}

function loadAverageNow(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
}

function newestProfile(directory: string): string | undefined {
  return readdirSync(directory)
    .filter((file) => file.endsWith('.cpuprofile'))
    .map((file) => join(directory, file))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** A server the bench did not start may restart under it; its CPU is then unknown, not a failure. */
function cpuSecondsOrNaN(pid: number): number {
  try {
    return processCpuSeconds(pid);
  } catch {
    return Number.NaN;
  }
}

// Read here and kept from the children: the embedded run must not inherit it.
const aerospikeHosts = process.env['AEROSPIKE_HOSTS'];
delete process.env['AEROSPIKE_HOSTS'];

const children: { stop(): Promise<unknown> }[] = [];
let engines: EphemeralEngines | undefined;
const scratch = mkdtempSync(join(tmpdir(), 'plexus-bench-ingest-'));
try {
  engines = await ensureEphemeralEngines();
  const adminKey = formatApiKey('be7c0003', randomSecrets(1)[0] as string);
  const internalToken = `bench-internal-${randomSecrets(1)[0] as string}`;
  const runId = Date.now().toString(36);
  const controlPlane: ControlPlaneProcess = await startControlPlaneProcess({
    MONGODB_URI: engines.mongoUri,
    MONGODB_DATABASE: `bench_ingest_cp_${runId}`,
    REDIS_URL: engines.redisUrl,
    PLEXUS_BOOTSTRAP_ADMIN_KEY: adminKey,
    PLEXUS_INTERNAL_TOKEN: internalToken
  });
  children.push(controlPlane);

  const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  const tenant = await fetch(`${controlPlane.url}/v1/tenants`, { method: 'POST', headers: admin, body: JSON.stringify({ id: TENANT, name: 'Bench' }) });
  if (!tenant.ok) throw new Error(`creating the tenant answered ${tenant.status}: ${await tenant.text()}`);
  const createKey = async (scopes: string[]): Promise<string> => {
    const answer = await fetch(`${controlPlane.url}/v1/tenants/${TENANT}/api-keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: scopes.join(' '), scopes }) });
    if (!answer.ok) throw new Error(`creating an API key answered ${answer.status}: ${await answer.text()}`);
    return ((await answer.json()) as { key: string }).key;
  };
  const registryKey = await createKey(['registry:write', 'registry:read']);
  const readerKey = await createKey(['telemetry:read']);
  await registerDevices(controlPlane.url, registryKey, deviceCount);

  const kinesis = createKinesisClient({ endpoint: engines.kinesisEndpoint });
  const recordOf = telemetryRecords({ tenantId: TENANT, deviceCount, payloadBytes });
  const engineProcesses = Object.fromEntries(engines.started.map((engine) => [engine.name, engine.pid]));
  console.log(
    `ingest: ${pointCount} points of ${payloadBytes} B from ${deviceCount} devices, ${shardCount} shards, ${cpus().length} cores, ` +
      `data-plane node options [${values['data-plane-node-options'] as string}], ` +
      `${(totalmem() / 2 ** 30).toFixed(0)} GiB, engines ${engines.started.map((engine) => engine.name).join(', ') || 'given by the environment'}, load average ${loadAverageNow()}`
  );

  const measureDataPlane = async (label: string, storeEnv: Record<string, string>, nodeOptions: string): Promise<DataPlaneFigures> => {
    const streamName = `bench-ingest-${label}-${runId}`;
    await ensureStream(kinesis, streamName, shardCount);
    const from = Date.now() - 1;
    const fillSeconds = await fillStream(kinesis, streamName, pointCount, recordOf);
    console.log(`  ${label}: stream filled with ${pointCount} records in ${fillSeconds.toFixed(1)} s (${Math.round(pointCount / fillSeconds)} records/s)`);

    const spawned = performance.now();
    const dataPlane = await startDataPlaneProcess({
      env: {
        ...storeEnv,
        MONGODB_URI: engines?.mongoUri as string,
        MONGODB_DATABASE: `bench_ingest_dp_${label}_${runId}`,
        REDIS_URL: engines?.redisUrl as string,
        KINESIS_ENDPOINT: engines?.kinesisEndpoint as string,
        KINESIS_STREAM: streamName,
        CONTROL_PLANE_URL: controlPlane.url,
        PLEXUS_INTERNAL_TOKEN: internalToken,
        CLUSTER_NAMESPACE: `bench:ingest:${label}:${runId}`
      },
      nodeOptions
    });
    children.push(dataPlane);
    const others: Record<string, number> = { ...engineProcesses, 'control-plane': controlPlane.pid };
    if (label === 'aerospike' && values['aerospike-pid'] !== undefined) others['aerospike'] = positiveInteger('aerospike-pid');
    const othersCpu = (): Record<string, number> => Object.fromEntries(Object.entries(others).map(([name, pid]) => [name, cpuSecondsOrNaN(pid)]));
    // The first reading, right after /readyz answered, is the start of the steady-state span.
    let atReady: { at: number; micros: number; cpu: number; others: Record<string, number>; points: number } | undefined;
    let atReached = { at: spawned, micros: 0, cpu: 0, others: {} as Record<string, number> };
    let reportedAt = performance.now();
    const outcome = await pollPoints(dataPlane, pointCount, pollMs, timeoutMs, (points) => {
      atReached = { at: performance.now(), micros: Number(process.hrtime.bigint() / 1000n), cpu: processCpuSeconds(dataPlane.pid), others: othersCpu() };
      atReady ??= { ...atReached, points };
      if (atReached.at - reportedAt >= PROGRESS_EVERY_MS) {
        reportedAt = atReached.at;
        console.log(`  ${label}: ${points} points after ${((atReached.at - atReady.at) / 1000).toFixed(0)} s, ${(atReached.cpu - atReady.cpu).toFixed(1)} CPU-s`);
      }
    });
    if (!outcome.reached) throw new Error(`${label}: ${outcome.points} of ${pointCount} points stored after ${timeoutMs / 1000} s`);
    const loadAverage = loadAverageNow();
    const deadLetters = await dataPlane.metric('plexus_ingest_dead_letters_total');
    const leaseLosses = await dataPlane.metric('plexus_consumer_lease_losses_total');
    const batchFailures = await dataPlane.metric('plexus_consumer_batch_failures_total');
    const check = await checkStoredPoints(dataPlane.url, readerKey, { points: pointCount, deviceCount, from, to: Date.now() + 1 });
    const exit = await dataPlane.stop();
    const ready = atReady as { at: number; micros: number; cpu: number; others: Record<string, number>; points: number };
    const figures: DataPlaneFigures = {
      label,
      fillSeconds,
      fromStart: { seconds: (atReached.at - spawned) / 1000, cpuSeconds: atReached.cpu },
      fromReady: { seconds: (atReached.at - ready.at) / 1000, cpuSeconds: atReached.cpu - ready.cpu, points: pointCount - ready.points },
      othersCpuSeconds: Object.fromEntries(Object.entries(atReached.others).map(([name, seconds]) => [name, seconds - (ready.others[name] ?? 0)])),
      stored: check.stored,
      devicesOff: check.devicesOff,
      deadLetters,
      leaseLosses,
      batchFailures,
      exit,
      loadAverage,
      window: { fromMicros: ready.micros, toMicros: atReached.micros }
    };
    console.log(
      `  ${label}: ${outcome.points} points in ${figures.fromStart.seconds.toFixed(1)} s from spawn (${figures.fromReady.seconds.toFixed(1)} s from ready), ` +
        `data plane ${figures.fromStart.cpuSeconds.toFixed(2)} CPU-s (${figures.fromReady.cpuSeconds.toFixed(2)} from ready); ` +
        `counts: ${check.stored} stored, ${check.devicesOff} devices off, ${deadLetters} dead letters; ` +
        `${leaseLosses} lease losses, ${batchFailures} batch failures; ${exit}`
    );
    return figures;
  };

  const runs: DataPlaneFigures[] = [];
  if (cpuProfileDir !== undefined) mkdirSync(cpuProfileDir, { recursive: true });
  const nodeOptions = values['data-plane-node-options'] as string;
  const profileOptions = cpuProfileDir === undefined ? nodeOptions : `${nodeOptions} --cpu-prof --cpu-prof-dir=${cpuProfileDir}`.trim();
  runs.push(await measureDataPlane('embedded', { DATA_DIR: join(scratch, 'data-plane') }, profileOptions));
  if (aerospikeHosts !== undefined && aerospikeHosts !== '') runs.push(await measureDataPlane('aerospike', { AEROSPIKE_HOSTS: aerospikeHosts }, nodeOptions));
  kinesis.destroy();

  // Stopped before the peer runs, so the peer has the cores to itself.
  for (const child of children.splice(0).reverse()) await child.stop();
  let peer: { seconds: number; cpuSeconds: number; loadAverage: string } | null = null;
  if (!values['skip-peer']) {
    const measured = await writeToBareStore(join(scratch, 'peer-store'), pointCount, peerBatch, RETENTION_SECONDS, recordOf);
    peer = { ...measured, loadAverage: loadAverageNow() };
    console.log(`  peer: bare embedded store, writePoints of ${peerBatch}: ${pointCount} points in ${measured.seconds.toFixed(1)} s, ${measured.cpuSeconds.toFixed(2)} CPU-s`);
  }

  const columns = [...runs.map((run) => `data plane (${run.label})`), ...(peer === null ? [] : ['peer: bare store'])];
  const cells = (pick: (run: DataPlaneFigures) => string, peerCell: string): string[] => [...runs.map(pick), ...(peer === null ? [] : [peerCell])];
  const row = (label: string, row: string[]): void => console.log(`  ${label.padEnd(46)}${row.map((cell) => cell.padStart(24)).join('')}`);
  const rate = (points: number, seconds: number): string => Math.round(points / Math.max(seconds, 0.01)).toLocaleString('en');
  row('', columns);
  row('points', cells(() => pointCount.toLocaleString('en'), pointCount.toLocaleString('en')));
  row('wall s (from ready / from spawn)', cells((run) => `${run.fromReady.seconds.toFixed(1)} / ${run.fromStart.seconds.toFixed(1)}`, peer?.seconds.toFixed(1) ?? ''));
  row('points/s (from ready)', cells((run) => rate(run.fromReady.points, run.fromReady.seconds), rate(pointCount, peer?.seconds ?? 1)));
  row('data-plane CPU-s (from ready / from spawn)', cells((run) => `${run.fromReady.cpuSeconds.toFixed(2)} / ${run.fromStart.cpuSeconds.toFixed(2)}`, '-'));
  row('points per data-plane CPU-s (from ready)', cells((run) => rate(run.fromReady.points, run.fromReady.cpuSeconds), '-'));
  row('points per data-plane CPU-s (from spawn)', cells((run) => rate(pointCount, run.fromStart.cpuSeconds), '-'));
  row('peer points per CPU-s (bench process)', cells(() => '-', rate(pointCount, peer?.cpuSeconds ?? 1)));
  row('kinesalite CPU-s (from ready)', cells((run) => (run.othersCpuSeconds['kinesalite'] ?? 0).toFixed(2), '-'));
  row('control-plane CPU-s (from ready)', cells((run) => (run.othersCpuSeconds['control-plane'] ?? 0).toFixed(2), '-'));
  row('stored (counts API) / devices off / dead letters', cells((run) => `${run.stored} / ${run.devicesOff} / ${run.deadLetters}`, '-'));
  row('lease losses / batch failures', cells((run) => `${run.leaseLosses} / ${run.batchFailures}`, '-'));
  row('load average at the end', cells((run) => run.loadAverage, peer?.loadAverage ?? ''));
  for (const run of runs) console.log(`  other CPU-s during the ${run.label} run (from ready): ${JSON.stringify(roundAll(run.othersCpuSeconds))}`);
  console.log(
    JSON.stringify({
      benchmark: 'ingest',
      points: pointCount,
      devices: deviceCount,
      shards: shardCount,
      payloadBytes,
      runs: runs.map(({ window: _window, ...run }) => ({
        ...run,
        pointsPerSecond: Math.round(run.fromReady.points / run.fromReady.seconds),
        pointsPerDataPlaneCpuSecond: Math.round(run.fromReady.points / run.fromReady.cpuSeconds),
        othersCpuSeconds: roundAll(run.othersCpuSeconds)
      })),
      peer: peer === null ? null : { ...peer, pointsPerSecond: Math.round(pointCount / peer.seconds), pointsPerCpuSecond: Math.round(pointCount / peer.cpuSeconds) }
    })
  );
  if (cpuProfileDir !== undefined) {
    const profile = newestProfile(cpuProfileDir);
    if (profile === undefined) console.log(`  no .cpuprofile was written to ${cpuProfileDir}`);
    else {
      const embedded = runs[0] as DataPlaneFigures;
      printProfileSummary(profile, 'from ready until the count was reached', summarizeCpuProfile(profile, embedded.window));
      printProfileSummary(profile, 'the whole process', summarizeCpuProfile(profile));
    }
  }
  const lost = runs.filter((run) => run.stored !== pointCount || run.devicesOff !== 0);
  if (lost.length > 0) process.exitCode = 1;
} finally {
  for (const child of children.reverse()) await child.stop();
  await engines?.stop();
  rmSync(scratch, { recursive: true, force: true });
}

function roundAll(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, Math.round(value * 100) / 100]));
}
