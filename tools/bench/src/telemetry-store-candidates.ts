import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { open, type Database, type RootDatabase } from 'lmdb';
import {
  addPointToBucket,
  bucketStart,
  emptyRollupBucket,
  flattenNumericFields,
  LmdbTimeSeriesStore,
  ROLLUP_INTERVAL_MS,
  ROLLUP_INTERVALS,
  type RollupInterval,
  type StoredRollupBucket,
  type TelemetryPoint
} from '@plexus/telemetry-store';

// Which embedded engine should hold the data plane's time series? Both candidates run the same
// write path the adapter needs, one transaction per batch of 500 points: an idempotent insert of
// each point keyed by (tenant, device, at, messageId), and for each new point, read-merge-write
// of its 1 min and 1 h rollup buckets (merged per batch first, so a bucket is read and written
// once per batch) plus one expiry-index entry per new device-hour. With `--rollups behind`, as the
// adapter does, buckets stay decoded in memory (the adapter's cache), a changed bucket gets a
// marker row in its batch, and changed buckets are written back every --write-back-seconds of
// the devices' time (devices publish every 5 s), inside the measured time. Each transaction is committed
// without fsync, which keeps it across a killed process (the OS holds the pages), not across a
// power cut. Prints points/s and CPU seconds (all threads of this process) per candidate.

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '2000' },
    points: { type: 'string', default: '100' },
    batch: { type: 'string', default: '500' },
    rollups: { type: 'string', default: 'inline' },
    'write-back-seconds': { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
    only: { type: 'string' }
  }
});
const deviceCount = Number(values.devices);
const pointsPerDevice = Number(values.points);
const batchSize = Number(values.batch);
const rollupsBehind = values.rollups === 'behind';
const PUBLISH_SECONDS = 5;
const batchesPerWriteBack = Math.max(1, Math.round((Number(values['write-back-seconds']) * deviceCount) / PUBLISH_SECONDS / batchSize));
const RETENTION_SECONDS = 30 * 86_400;
const PUBLISH_INTERVAL_MS = PUBLISH_SECONDS * 1000;

interface Candidate {
  readonly name: string;
  writeBatch(points: readonly TelemetryPoint[]): Promise<void>;
  /** Writes back the rollup buckets changed since the last call (rollups written behind only). */
  writeBack(): Promise<void>;
  close(): Promise<void>;
}

/** The write path both candidates share; only the engine's four operations differ. */
interface EngineOperations {
  insertPointIfAbsent(point: TelemetryPoint): boolean;
  readBucket(tenantId: string, deviceId: string, interval: RollupInterval, start: number): StoredRollupBucket | undefined;
  writeBucket(tenantId: string, deviceId: string, interval: RollupInterval, bucket: StoredRollupBucket): void;
  writeExpiry(expiresAt: number, tenantId: string, deviceId: string, hourStart: number): void;
  writeMarker(tenantId: string, deviceId: string, interval: RollupInterval, start: number, present: boolean): void;
}

type TouchedBuckets = Map<string, { tenantId: string; deviceId: string; interval: RollupInterval; bucket: StoredRollupBucket; created: boolean }>;
const behind: TouchedBuckets = new Map();
const changedBehind = new Set<string>();

function applyBatch(points: readonly TelemetryPoint[], engine: EngineOperations): void {
  const touched: TouchedBuckets = rollupsBehind ? behind : new Map();
  for (const point of points) {
    if (!engine.insertPointIfAbsent(point)) continue;
    for (const interval of ROLLUP_INTERVALS) {
      const start = bucketStart(point.at, interval);
      const key = `${point.tenantId}\u0000${point.deviceId}\u0000${interval}\u0000${start}`;
      let entry = touched.get(key);
      if (entry === undefined) {
        const stored = engine.readBucket(point.tenantId, point.deviceId, interval, start);
        entry = { tenantId: point.tenantId, deviceId: point.deviceId, interval, bucket: stored ?? emptyRollupBucket(start), created: stored === undefined };
        touched.set(key, entry);
        if (entry.created && entry.interval === '1h') {
          engine.writeExpiry(start + ROLLUP_INTERVAL_MS['1h'] + RETENTION_SECONDS * 1000, point.tenantId, point.deviceId, start);
        }
      }
      if (rollupsBehind && !changedBehind.has(key)) {
        changedBehind.add(key);
        engine.writeMarker(point.tenantId, point.deviceId, interval, start, true);
      }
      addPointToBucket(entry.bucket, point);
    }
  }
  if (!rollupsBehind) {
    for (const entry of touched.values()) engine.writeBucket(entry.tenantId, entry.deviceId, entry.interval, entry.bucket);
  }
}

function writeBackChanged(engine: EngineOperations): void {
  for (const key of changedBehind) {
    const entry = behind.get(key);
    if (entry === undefined) continue;
    engine.writeBucket(entry.tenantId, entry.deviceId, entry.interval, entry.bucket);
    engine.writeMarker(entry.tenantId, entry.deviceId, entry.interval, entry.bucket.start, false);
    entry.created = false;
  }
  changedBehind.clear();
}

function lmdbCandidate(directory: string): Candidate {
  const root: RootDatabase = open({ path: directory, noSync: true });
  const pointsDb: Database = root.openDB({ name: 'points' });
  const rollupsDb: Database<StoredRollupBucket> = root.openDB({ name: 'rollups' });
  const expiryDb: Database = root.openDB({ name: 'expiry' });
  const markersDb: Database = root.openDB({ name: 'pending-rollups' });
  const engine: EngineOperations = {
    insertPointIfAbsent(point) {
      const key = [point.tenantId, point.deviceId, point.at, point.messageId];
      if (pointsDb.doesExist(key)) return false;
      pointsDb.put(key, { stream: point.stream, payload: point.payload, fields: point.fields });
      return true;
    },
    readBucket: (tenantId, deviceId, interval, start) => rollupsDb.get([tenantId, deviceId, interval, start]),
    writeBucket: (tenantId, deviceId, interval, bucket) => void rollupsDb.put([tenantId, deviceId, interval, bucket.start], bucket),
    writeExpiry: (expiresAt, tenantId, deviceId, hourStart) => void expiryDb.put([expiresAt, tenantId, deviceId, hourStart], null),
    writeMarker: (tenantId, deviceId, interval, start, present) =>
      void (present ? markersDb.put([tenantId, deviceId, interval, start], null) : markersDb.remove([tenantId, deviceId, interval, start]))
  };
  return {
    name: 'lmdb 3.5.6 (msgpack values, ordered-binary keys, noSync)',
    writeBatch: (points) => root.transaction(() => applyBatch(points, engine)),
    writeBack: () => root.transaction(() => writeBackChanged(engine)),
    close: () => root.close()
  };
}

function sqliteCandidate(directory: string): Candidate {
  const database = new DatabaseSync(join(directory, 'telemetry.sqlite'));
  database.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    CREATE TABLE points (tenant TEXT, device TEXT, at INTEGER, message_id TEXT, stream TEXT, payload BLOB, fields TEXT,
      PRIMARY KEY (tenant, device, at, message_id)) WITHOUT ROWID;
    CREATE TABLE rollups (tenant TEXT, device TEXT, interval TEXT, start INTEGER, bucket TEXT,
      PRIMARY KEY (tenant, device, interval, start)) WITHOUT ROWID;
    CREATE TABLE expiry (expires_at INTEGER, tenant TEXT, device TEXT, hour_start INTEGER,
      PRIMARY KEY (expires_at, tenant, device, hour_start)) WITHOUT ROWID;
    CREATE TABLE pending_rollups (tenant TEXT, device TEXT, interval TEXT, start INTEGER,
      PRIMARY KEY (tenant, device, interval, start)) WITHOUT ROWID;`);
  const insertPoint = database.prepare('INSERT OR IGNORE INTO points VALUES (?, ?, ?, ?, ?, ?, ?)');
  const selectBucket = database.prepare('SELECT bucket FROM rollups WHERE tenant = ? AND device = ? AND interval = ? AND start = ?');
  const upsertBucket = database.prepare('INSERT OR REPLACE INTO rollups VALUES (?, ?, ?, ?, ?)');
  const insertExpiry = database.prepare('INSERT OR IGNORE INTO expiry VALUES (?, ?, ?, ?)');
  const insertMarker = database.prepare('INSERT OR IGNORE INTO pending_rollups VALUES (?, ?, ?, ?)');
  const deleteMarker = database.prepare('DELETE FROM pending_rollups WHERE tenant = ? AND device = ? AND interval = ? AND start = ?');
  const engine: EngineOperations = {
    insertPointIfAbsent: (point) =>
      insertPoint.run(point.tenantId, point.deviceId, point.at, point.messageId, point.stream, point.payload, JSON.stringify(point.fields)).changes === 1,
    readBucket(tenantId, deviceId, interval, start) {
      const row = selectBucket.get(tenantId, deviceId, interval, start) as { bucket: string } | undefined;
      return row === undefined ? undefined : (JSON.parse(row.bucket) as StoredRollupBucket);
    },
    writeBucket: (tenantId, deviceId, interval, bucket) => void upsertBucket.run(tenantId, deviceId, interval, bucket.start, JSON.stringify(bucket)),
    writeExpiry: (expiresAt, tenantId, deviceId, hourStart) => void insertExpiry.run(expiresAt, tenantId, deviceId, hourStart),
    writeMarker: (tenantId, deviceId, interval, start, present) => void (present ? insertMarker : deleteMarker).run(tenantId, deviceId, interval, start)
  };
  const inTransaction = (work: () => void): void => {
    database.exec('BEGIN');
    try {
      work();
      database.exec('COMMIT');
    } catch (error) {
      database.exec('ROLLBACK');
      throw error;
    }
  };
  return {
    name: 'node:sqlite (SQLite 3, WAL, synchronous=NORMAL, JSON rollups)',
    writeBatch: async (points) => inTransaction(() => applyBatch(points, engine)),
    writeBack: async () => inTransaction(() => writeBackChanged(engine)),
    close: async () => database.close()
  };
}

let countLine = '';

/** The adapter chosen, through the TimeSeriesStore port: the same work plus its rollup bucket cache. */
function lmdbAdapter(directory: string): Candidate {
  const store = new LmdbTimeSeriesStore({ directory, rollupFlushIntervalMs: 3_600_000 });
  const countEveryDevice = async (): Promise<void> => {
    const deviceIds = Array.from({ length: deviceCount }, (_unused, device) => `dev-${device.toString().padStart(7, '0')}`);
    const started = performance.now();
    let counted = 0;
    for (let offset = 0; offset < deviceIds.length; offset += 10_000) {
      const counts = await store.countPoints('bench', deviceIds.slice(offset, offset + 10_000), { from: 0, to: Number.MAX_SAFE_INTEGER });
      counted += counts.reduce((sum, count) => sum + count, 0);
    }
    const milliseconds = performance.now() - started;
    countLine = `countPoints of all ${deviceCount.toLocaleString('en-US')} devices (batches of 10,000): ${milliseconds.toFixed(0)} ms, ${counted.toLocaleString('en-US')} points counted`;
  };
  return {
    name: 'LmdbTimeSeriesStore, the adapter (rollups written behind, its cache)',
    writeBatch: (points) => store.writePoints(points, () => RETENTION_SECONDS),
    writeBack: () => store.flushRollups(),
    close: async () => {
      await countEveryDevice();
      await store.close();
    }
  };
}

/** Devices publish every 5 s, interleaved as the stream delivers them: batches mix many devices. */
function* pointBatches(): Generator<TelemetryPoint[]> {
  const start = Date.UTC(2026, 10, 26, 0, 0, 0);
  let batch: TelemetryPoint[] = [];
  for (let round = 0; round < pointsPerDevice; round++) {
    for (let device = 0; device < deviceCount; device++) {
      const payload = Buffer.from(
        JSON.stringify({
          temperature: 20 + ((round + device) % 100) / 10,
          humidity: 40 + (device % 30),
          battery: { voltage: 3.7 - round / 10_000, level: 100 - (round % 100) },
          rssi: -60 - (device % 20),
          status: 'ok'
        })
      );
      batch.push({
        tenantId: 'bench',
        deviceId: `dev-${device.toString().padStart(7, '0')}`,
        messageId: `${round}-${device}`,
        at: start + round * PUBLISH_INTERVAL_MS + (device % PUBLISH_INTERVAL_MS),
        stream: null,
        payload,
        fields: flattenNumericFields(payload)
      });
      if (batch.length === batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

async function measure(make: (directory: string) => Candidate, batches: readonly TelemetryPoint[][], round: number): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'telemetry-store-candidate-'));
  const candidate = make(directory);
  behind.clear();
  changedBehind.clear();
  const total = batches.reduce((sum, batch) => sum + batch.length, 0);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const [index, batch] of batches.entries()) {
    await candidate.writeBatch(batch);
    if ((index + 1) % batchesPerWriteBack === 0) await candidate.writeBack();
  }
  await candidate.writeBack();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const replayStarted = performance.now();
  for (const batch of batches.slice(0, Math.ceil(batches.length / 10))) await candidate.writeBatch(batch);
  await candidate.writeBack();
  const replayedPoints = batches.slice(0, Math.ceil(batches.length / 10)).reduce((sum, batch) => sum + batch.length, 0);
  const replaySeconds = (performance.now() - replayStarted) / 1000;
  await candidate.close();
  rmSync(directory, { recursive: true, force: true });
  console.log(
    `| ${round} | ${candidate.name} | ${total.toLocaleString('en-US')} | ${Math.round(total / seconds).toLocaleString('en-US')} | ${cpuSeconds.toFixed(2)} | ` +
      `${Math.round(total / cpuSeconds).toLocaleString('en-US')} | ${Math.round(replayedPoints / replaySeconds).toLocaleString('en-US')} |`
  );
}

const batches = [...pointBatches()];
console.log(`${deviceCount} devices × ${pointsPerDevice} points, batches of ${batchSize}, 5 numeric fields a point, rollups ${rollupsBehind ? `written behind every ${values['write-back-seconds']} s of device time (${batchesPerWriteBack} batches)` : 'written in each batch'} (the adapter always writes behind)`);
console.log('| round | candidate | points | points/s | CPU s | points per CPU-s | replay points/s (first 10% again) |');
console.log('|---|---|---|---|---|---|---|');
const runs: Record<string, (directory: string) => Candidate> = { lmdb: lmdbCandidate, sqlite: sqliteCandidate, adapter: lmdbAdapter };
// Candidates take turns round after round, so a shared machine's load changes hit them alike.
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const [name, make] of Object.entries(runs)) {
    if (values.only === undefined || values.only.split(',').includes(name)) await measure(make, batches, round);
  }
}
if (countLine !== '') console.log(`\n${countLine}`);
