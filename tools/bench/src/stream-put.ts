import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { freePort, startKinesis, type EngineHandle } from '@plexus/engines';
import { createKinesisClient, encodeRecord, ensureStream, KinesisProducer, partitionKeyOf, type StreamRecord } from '@plexus/stream';
import { measureCpu } from './process-cpu.ts';

// Writes N records of --size payload bytes through KinesisProducer (many concurrent puts, as the
// gateway will issue them, honouring `saturated`) and prints records/s and MB/s. The peer, in
// the same run on the same engine, is the plain way to use the API: raw SDK PutRecords of 500
// records, 4 requests in flight, no aggregation, the same encoded records and partition keys.

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    size: { type: 'string', default: '1024' },
    shards: { type: 'string', default: '4' },
    devices: { type: 'string', default: '1000' },
    'skip-peer': { type: 'boolean', default: false }
  }
});
const recordCount = positiveInteger('records');
const payloadBytes = positiveInteger('size');
const shardCount = positiveInteger('shards');
const deviceCount = positiveInteger('devices');
const PEER_BATCH = 500;
const PEER_CONCURRENCY = 4;

function positiveInteger(name: keyof typeof values): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const payload = randomBytes(payloadBytes);
function recordOf(index: number): StreamRecord {
  const device = index % deviceCount;
  return {
    tenantId: 'bench',
    deviceId: `dev-${device.toString().padStart(6, '0')}`,
    messageId: `${index}`,
    receivedAt: Date.now(),
    kind: 'telemetry',
    topic: `devices/dev-${device}/telemetry`,
    payload
  };
}

async function producerRun(client: KinesisClient, streamName: string): Promise<{ seconds: number; producer: KinesisProducer }> {
  const producer = new KinesisProducer({ client, streamName });
  const started = performance.now();
  let acknowledged = 0;
  let failure: unknown;
  const done = new Promise<void>((resolve, reject) => {
    const onAck = (): void => {
      if (++acknowledged === recordCount) resolve();
    };
    const onError = (error: unknown): void => {
      failure ??= error;
      reject(error);
    };
    void (async () => {
      for (let index = 0; index < recordCount && failure === undefined; index++) {
        // What the gateway does: stop reading sockets while the producer is saturated.
        if (producer.saturated) await producer.whenDrained();
        producer.put(recordOf(index)).then(onAck, onError);
      }
    })();
  });
  await done;
  const seconds = (performance.now() - started) / 1000;
  await producer.close();
  return { seconds, producer };
}

async function peerRun(client: KinesisClient, streamName: string): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < recordCount) {
      const start = next;
      next += PEER_BATCH;
      let entries: PutRecordsRequestEntry[] = [];
      for (let index = start; index < Math.min(start + PEER_BATCH, recordCount); index++) {
        const record = recordOf(index);
        entries.push({ PartitionKey: partitionKeyOf(record), Data: encodeRecord(record) });
      }
      // Failed entries are sent again, so the peer also ends with every record accepted.
      while (entries.length > 0) {
        const answer = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: entries }));
        entries = entries.filter((_entry, index) => answer.Records?.[index]?.ErrorCode !== undefined);
      }
    }
  };
  await Promise.all(Array.from({ length: PEER_CONCURRENCY }, worker));
  return (performance.now() - started) / 1000;
}

const givenEndpoint = process.env['KINESIS_ENDPOINT'];
const scratch = givenEndpoint === undefined ? mkdtempSync(join(tmpdir(), 'plexus-bench-kinesis-')) : undefined;
let kinesalite: EngineHandle | undefined;
if (scratch !== undefined) kinesalite = await startKinesis({ port: await freePort(), dataDir: join(scratch, 'kinesis') });
const endpoint = givenEndpoint ?? (kinesalite as EngineHandle).url;
const client = createKinesisClient({ endpoint, maxSockets: 8 });

try {
  const pids: Record<string, number> = { bench: process.pid };
  if (kinesalite !== undefined) pids['kinesalite'] = kinesalite.pid;
  const megabytes = (recordCount * payloadBytes) / 1e6;
  console.log(
    `stream-put: ${recordCount} records of ${payloadBytes} B, ${deviceCount} devices, ${shardCount} shards, ` +
      `${kinesalite === undefined ? `endpoint ${endpoint}` : 'kinesalite (LevelDB)'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`
  );

  const producerStream = `bench-producer-${Date.now()}`;
  await ensureStream(client, producerStream, shardCount);
  const produced = await measureCpu(pids, () => producerRun(client, producerStream));
  const { producer, seconds } = produced.result;
  const producerRate = recordCount / seconds;
  console.log(
    `  KinesisProducer (aggregated)  ${producerRate.toFixed(0).padStart(7)} records/s  ${(megabytes / seconds).toFixed(1).padStart(6)} MB/s  ` +
      `(${seconds.toFixed(1)} s, ${producer.batches} PutRecords, ${producer.acceptedKinesisRecords} Kinesis records, ${producer.retries} retries)  ` +
      `CPU s: ${JSON.stringify(roundAll(produced.cpuSeconds))}`
  );

  let peer: { rate: number; seconds: number; cpuSeconds: Record<string, number> } | null = null;
  if (!values['skip-peer']) {
    const peerStream = `bench-peer-${Date.now()}`;
    await ensureStream(client, peerStream, shardCount);
    const measured = await measureCpu(pids, () => peerRun(client, peerStream));
    peer = { rate: recordCount / measured.result, seconds: measured.result, cpuSeconds: measured.cpuSeconds };
    console.log(
      `  peer: SDK PutRecords 500 x 4  ${peer.rate.toFixed(0).padStart(7)} records/s  ${(megabytes / peer.seconds).toFixed(1).padStart(6)} MB/s  ` +
        `(${peer.seconds.toFixed(1)} s, ${Math.ceil(recordCount / PEER_BATCH)} PutRecords)  CPU s: ${JSON.stringify(roundAll(peer.cpuSeconds))}`
    );
  }
  console.log(
    JSON.stringify({
      benchmark: 'stream-put',
      records: recordCount,
      payloadBytes,
      shards: shardCount,
      producerRecordsPerSecond: Math.round(producerRate),
      producerMegabytesPerSecond: Math.round((megabytes / seconds) * 10) / 10,
      producerKinesisRecords: producer.acceptedKinesisRecords,
      producerCpuSeconds: roundAll(produced.cpuSeconds),
      peerRecordsPerSecond: peer === null ? null : Math.round(peer.rate),
      peerMegabytesPerSecond: peer === null ? null : Math.round((megabytes / peer.seconds) * 10) / 10,
      peerCpuSeconds: peer === null ? null : roundAll(peer.cpuSeconds)
    })
  );
} finally {
  client.destroy();
  await kinesalite?.stop();
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
}

function roundAll(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, Math.round(value * 10) / 10]));
}
