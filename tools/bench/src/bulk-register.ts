import { request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { detectMongoWireEngine, ensureEphemeralEngines } from '@plexus/engines';
import { DEFAULT_BULK_OPTIONS, formatApiKey, newCredentialFromSecret, newDeviceDocument, randomSecrets, type DeviceDocument } from '@plexus/registry';
import { startControlPlaneProcess } from '@plexus/test-harness';
import { measureCpu } from './process-cpu.ts';

// Registers N devices through `POST /v1/devices/bulk` of a real control-plane process and prints
// devices/s. The peer, measured in the same run on the same engine, is the engine's own ceiling:
// the same device documents written straight through the driver with the same batch size and
// concurrency, so the gap between the two is what the HTTP path costs.

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '100000' },
    'skip-peer': { type: 'boolean', default: false }
  }
});
const deviceCount = Number(values.devices);
if (!Number.isInteger(deviceCount) || deviceCount < 1) throw new Error('--devices must be a positive integer');
// The peer writes with the registry's own batch size and concurrency.
const BATCH = DEFAULT_BULK_OPTIONS.batchSize;
const CONCURRENCY = DEFAULT_BULK_OPTIONS.concurrency;

function* ndjsonChunks(count: number): Generator<string> {
  for (let start = 0; start < count; start += BATCH) {
    let chunk = '';
    for (let i = start; i < Math.min(start + BATCH, count); i++) {
      chunk += `{"id":"dev-${i.toString().padStart(7, '0')}","tags":["bench"],"attributes":{"lot":${i % 97}}}\n`;
    }
    yield chunk;
  }
}

interface UploadResult {
  created: number;
  failed: number;
  seconds: number;
  summary: unknown;
}

function bulkUpload(url: string, apiKey: string, count: number): Promise<UploadResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/devices/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/x-ndjson' }
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let created = 0;
      let failed = 0;
      let pending = '';
      let summary: unknown;
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        const lines = (pending + text).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (line.includes('"token"')) created++;
          else if (line.startsWith('{"summary"')) summary = JSON.parse(line);
          else if (line.includes('"error"')) failed++;
        }
      });
      res.on('end', () => resolve({ created, failed, seconds: (performance.now() - started) / 1000, summary }));
    });
    pipeline(Readable.from(ndjsonChunks(count)), req).catch(reject);
  });
}

/** The same documents the registry writes, inserted straight through the driver. */
async function driverInsert(mongoUri: string, count: number): Promise<number> {
  const client = await MongoClient.connect(mongoUri);
  const collection = client.db(`bench_peer_${Date.now()}`).collection<DeviceDocument>('devices');
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const start = next;
      next += BATCH;
      const size = Math.min(BATCH, count - start);
      const secrets = randomSecrets(size);
      const now = new Date();
      const docs = secrets.map((secret, offset) => {
        const id = `dev-${(start + offset).toString().padStart(7, '0')}`;
        const { entry } = newCredentialFromSecret('bench', secret, now, null);
        return newDeviceDocument('bench', { id, tags: ['bench'], attributes: { lot: (start + offset) % 97 } }, now, [entry]);
      });
      await collection.insertMany(docs, { ordered: false });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  await client.db(collection.dbName).dropDatabase();
  await client.close();
  return seconds;
}

const engines = await ensureEphemeralEngines();
const mongoEngine = engines.started.find((engine) => engine.name !== 'redis');
const engineName = mongoEngine ? mongoEngine.name : `external (${detectMongoWireEngine() ?? 'MONGODB_URI'})`;
const adminKey = formatApiKey('be7c0001', randomSecrets(1)[0] as string);
const controlPlane = await startControlPlaneProcess({
  MONGODB_URI: engines.mongoUri,
  MONGODB_DATABASE: `bench_${Date.now()}`,
  REDIS_URL: engines.redisUrl,
  PLEXUS_BOOTSTRAP_ADMIN_KEY: adminKey
});

try {
  const admin = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  await fetch(`${controlPlane.url}/v1/tenants`, { method: 'POST', headers: admin, body: JSON.stringify({ id: 'bench', name: 'Bench' }) });
  const keyResponse = await fetch(`${controlPlane.url}/v1/tenants/bench/api-keys`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ name: 'bench', scopes: ['registry:write', 'registry:read'] })
  });
  const { key } = (await keyResponse.json()) as { key: string };

  const pids: Record<string, number> = { 'control-plane': controlPlane.pid, client: process.pid };
  if (mongoEngine) pids[mongoEngine.name] = mongoEngine.pid;

  console.log(`bulk-register: ${deviceCount} devices, engine ${engineName}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  const http = await measureCpu(pids, () => bulkUpload(controlPlane.url, key, deviceCount));
  if (http.result.created !== deviceCount) throw new Error(`only ${http.result.created} of ${deviceCount} created: ${JSON.stringify(http.result.summary)}`);
  const httpRate = deviceCount / http.result.seconds;
  console.log(`  POST /v1/devices/bulk   ${httpRate.toFixed(0).padStart(8)} devices/s  (${http.result.seconds.toFixed(1)} s)  CPU s: ${JSON.stringify(roundAll(http.cpuSeconds))}`);

  // Reads after the upload: a point read is one primary-key lookup; a list page is an index
  // range on MongoDB but a scan and sort of the whole collection on FerretDB v1, cut off by the
  // registry's query time limit (503).
  const reader = { authorization: `Bearer ${key}` };
  const timedGet = async (path: string) => {
    const started = performance.now();
    const response = await fetch(`${controlPlane.url}${path}`, { headers: reader });
    await response.arrayBuffer();
    return { ms: performance.now() - started, status: response.status };
  };
  const pointReads: number[] = [];
  for (let i = 0; i < 50; i++) {
    const id = `dev-${Math.floor(Math.random() * deviceCount).toString().padStart(7, '0')}`;
    const read = await timedGet(`/v1/devices/${id}`);
    if (read.status !== 200) throw new Error(`GET /v1/devices/${id} answered ${read.status}`);
    pointReads.push(read.ms);
  }
  pointReads.sort((a, b) => a - b);
  const pointReadP50Ms = pointReads[Math.floor(pointReads.length / 2)] as number;
  const pointReadP99Ms = pointReads[Math.ceil(pointReads.length * 0.99) - 1] as number;
  const firstPage = await timedGet('/v1/devices?limit=100');
  console.log(
    `  after upload: GET one device p50 ${pointReadP50Ms.toFixed(1)} ms, p99 ${pointReadP99Ms.toFixed(1)} ms (50 reads); ` +
      `GET first page of 100: HTTP ${firstPage.status} in ${firstPage.ms.toFixed(0)} ms`
  );

  let peerRate: number | null = null;
  if (!values['skip-peer']) {
    const peer = await measureCpu(pids, () => driverInsert(engines.mongoUri, deviceCount));
    peerRate = deviceCount / peer.result;
    console.log(`  peer: driver insertMany ${peerRate.toFixed(0).padStart(8)} devices/s  (${peer.result.toFixed(1)} s)  CPU s: ${JSON.stringify(roundAll(peer.cpuSeconds))}`);
  }
  console.log(
    JSON.stringify({
      benchmark: 'bulk-register',
      devices: deviceCount,
      engine: engineName,
      httpDevicesPerSecond: Math.round(httpRate),
      peerDriverDevicesPerSecond: peerRate === null ? null : Math.round(peerRate),
      pointReadP50Ms: Math.round(pointReadP50Ms * 10) / 10,
      pointReadP99Ms: Math.round(pointReadP99Ms * 10) / 10,
      firstPage: { status: firstPage.status, ms: Math.round(firstPage.ms) },
      cpuSeconds: roundAll(http.cpuSeconds)
    })
  );
} finally {
  await controlPlane.stop();
  await engines.stop();
}

function roundAll(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, Math.round(value * 10) / 10]));
}
