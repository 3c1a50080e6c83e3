import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { nextEvent, testEngines, uniqueDatabaseName, within } from '@plexus/test-harness';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureStream } from './ensure-stream.ts';
import { KinesisFaultProxy } from './kinesis-fault-proxy.test-support.ts';
import { createKinesisClient } from './kinesis-client.ts';
import { KinesisProducer, type KinesisProducerOptions } from './kinesis-producer.ts';
import { readStream } from './stream-reader.ts';
import type { StreamRecord } from './stream-record.ts';

const { kinesisEndpoint } = testEngines();
let client: KinesisClient;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(() => {
  client = createKinesisClient({ endpoint: kinesisEndpoint });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => client.destroy());

async function newStream(shards: number): Promise<string> {
  const name = uniqueDatabaseName('stream');
  await ensureStream(client, name, shards);
  return name;
}

function producerFor(streamName: string, options: Partial<KinesisProducerOptions> = {}, through = client): KinesisProducer {
  const producer = new KinesisProducer({ client: through, streamName, retryBaseMs: 10, retryMaxMs: 100, ...options });
  cleanups.push(() => producer.close());
  return producer;
}

function recordOf(device: number, sequence: number, payloadBytes = 32): StreamRecord {
  return {
    tenantId: 'acme',
    deviceId: `dev-${device}`,
    messageId: `dev-${device}:${sequence}`,
    receivedAt: 1_795_000_000_000 + sequence,
    kind: 'telemetry',
    topic: `devices/dev-${device}/telemetry`,
    payload: Buffer.alloc(payloadBytes, sequence % 256)
  };
}

/** Every device's message ids, in the order the stream holds them. */
function orderByDevice(records: readonly StreamRecord[]): Map<string, string[]> {
  const byDevice = new Map<string, string[]>();
  for (const record of records) {
    const list = byDevice.get(record.deviceId) ?? [];
    list.push(record.messageId);
    byDevice.set(record.deviceId, list);
  }
  return byDevice;
}

function expectedOrder(devices: number, perDevice: number, from = 0): Map<string, string[]> {
  return new Map(
    Array.from({ length: devices }, (_, device) => [`dev-${device}`, Array.from({ length: perDevice }, (_, i) => `dev-${device}:${from + i}`)])
  );
}

/** A fault-injecting proxy in front of kinesalite and a client that goes through it, closed after the test. */
async function faultProxy(): Promise<{ proxy: KinesisFaultProxy; proxied: ReturnType<typeof createKinesisClient> }> {
  const proxy = new KinesisFaultProxy(kinesisEndpoint);
  await proxy.listen();
  const proxied = createKinesisClient({ endpoint: proxy.url });
  cleanups.push(async () => {
    await proxy.close();
    proxied.destroy();
  });
  return { proxy, proxied };
}

describe('KinesisProducer (integration: kinesalite)', () => {
  it('delivers many records across shards, aggregated, with every device in order', async () => {
    const streamName = await newStream(4);
    const producer = producerFor(streamName);
    const puts: Array<Promise<void>> = [];
    for (let sequence = 0; sequence < 50; sequence++) {
      for (let device = 0; device < 40; device++) puts.push(producer.put(recordOf(device, sequence)));
    }
    await within(Promise.all(puts), 20_000, 'all 2,000 puts acknowledged');

    const contents = await readStream(client, streamName);
    expect(contents.records).toHaveLength(2_000);
    expect(orderByDevice(contents.records)).toEqual(expectedOrder(40, 50));
    expect(contents.shardCount).toBe(4);
    // Aggregation really happened: far fewer Kinesis records than user records.
    expect(contents.kinesisRecordCount).toBeLessThan(200);
    expect(contents.kinesisRecordCount).toBe(producer.acceptedKinesisRecords);
    expect(producer).toMatchObject({ acknowledgedRecords: 2_000, bufferedRecords: 0, bufferedBytes: 0, retries: 0, failures: 0 });
    expect(producer.batches).toBeGreaterThan(0);
    const decoded = contents.records.find((record) => record.messageId === 'dev-3:7') as StreamRecord;
    expect(decoded).toMatchObject({ tenantId: 'acme', deviceId: 'dev-3', kind: 'telemetry', topic: 'devices/dev-3/telemetry' });
    expect([...decoded.payload]).toEqual(Array.from({ length: 32 }, () => 7));
  });

  it('sends the small aggregates of several shards in one request, and large ones in a request each', async () => {
    const streamName = await newStream(4);
    const putAll = async (producer: KinesisProducer) => {
      await within(Promise.all(Array.from({ length: 40 }, (_, device) => producer.put(recordOf(device, 0)))), 10_000, '40 puts acknowledged');
    };
    const packed = producerFor(streamName, { lingerMs: 20 });
    await putAll(packed);
    expect({ requests: packed.batches, aggregates: packed.acceptedKinesisRecords }).toEqual({ requests: 1, aggregates: 4 });
    // Past requestSpreadBytes, the four shards' aggregates go out side by side.
    const spread = producerFor(streamName, { lingerMs: 20, requestSpreadBytes: 1 });
    await putAll(spread);
    expect({ requests: spread.batches, aggregates: spread.acceptedKinesisRecords }).toEqual({ requests: 4, aggregates: 4 });
  });

  it('resolves put only after the stream answered that it accepted the record', async () => {
    const streamName = await newStream(1);
    const { proxy, proxied } = await faultProxy();
    const producer = producerFor(streamName, {}, proxied);
    proxy.holdAnswers();
    const answered = nextEvent(proxy, 'putRecords', 5_000);
    let acknowledged = false;
    const put = producer.put(recordOf(1, 1)).then(() => {
      acknowledged = true;
    });
    await answered;
    // Written upstream, answer held back: not acknowledged yet.
    expect(proxy.acceptedMessageIds.has('dev-1:1')).toBe(true);
    await Promise.resolve();
    expect(acknowledged).toBe(false);
    expect(producer.bufferedRecords).toBe(1);
    proxy.release();
    await within(put, 5_000, 'put after the answer');
    expect(acknowledged).toBe(true);
    expect(producer.bufferedRecords).toBe(0);
  });

  it('survives throttled entries and a refused endpoint: nothing acked early, nothing lost, saturation flips and recovers', async () => {
    const streamName = await newStream(3);
    const { proxy, proxied } = await faultProxy();
    const producer = producerFor(streamName, { maxBufferedRecords: 300, lingerMs: 5 }, proxied);
    const ackedEarly: string[] = [];
    const acked: string[] = [];
    const put = (record: StreamRecord): Promise<void> =>
      producer.put(record).then(() => {
        if (!proxy.acceptedMessageIds.has(record.messageId)) ackedEarly.push(record.messageId);
        acked.push(record.messageId);
      });

    // Phase 1: throttling. Every other entry of the next 6 requests fails as Kinesis fails it.
    proxy.failEntries(6);
    const firstWave: Array<Promise<void>> = [];
    for (let sequence = 0; sequence < 20; sequence++) {
      for (let device = 0; device < 10; device++) firstWave.push(put(recordOf(device, sequence)));
    }
    await within(Promise.all(firstWave), 15_000, 'first wave despite throttling');
    expect(proxy.failedEntries).toBeGreaterThan(0);
    expect(producer.retries).toBeGreaterThanOrEqual(proxy.failedEntries);

    // Phase 2: the endpoint refuses connections. Puts stay pending until the buffer is full.
    await proxy.refuseConnections();
    const saturatedEvent = nextEvent(producer, 'saturated', 10_000);
    const secondWave: Array<Promise<void>> = [];
    for (let sequence = 20; sequence < 50; sequence++) {
      for (let device = 0; device < 10; device++) secondWave.push(put(recordOf(device, sequence)));
    }
    await saturatedEvent;
    expect(producer.saturated).toBe(true);
    expect(producer.bufferedRecords).toBe(300);
    const refused = await producer.put(recordOf(99, 0)).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'PLX_STREAM_BUFFER_FULL' });
    const ackedWhileDown = acked.length;
    expect(ackedWhileDown).toBe(200);
    const failuresWhileDown = producer.failures;
    expect(failuresWhileDown).toBeGreaterThan(0);

    // Phase 3: the endpoint is back; the buffer drains and every put resolves.
    const drained = producer.whenDrained();
    await proxy.listen();
    await within(drained, 15_000, 'drain after the endpoint returned');
    await within(Promise.all(secondWave), 15_000, 'second wave after recovery');
    expect(producer.saturated).toBe(false);
    expect(ackedEarly).toEqual([]);

    const contents = await readStream(client, streamName);
    const stored = contents.records.map((record) => record.messageId);
    expect(new Set(stored).size).toBe(stored.length);
    expect(new Set(stored)).toEqual(new Set(acked));
    expect(stored).toHaveLength(500);
    expect(orderByDevice(contents.records)).toEqual(expectedOrder(10, 50));
  });

  it('close() drains what is buffered, then refuses new puts', async () => {
    const streamName = await newStream(2);
    const producer = new KinesisProducer({ client, streamName, lingerMs: 60_000 });
    const puts = Array.from({ length: 100 }, (_, i) => producer.put(recordOf(i % 7, i)));
    await within(producer.close(), 10_000, 'close');
    expect(producer.bufferedRecords).toBe(0);
    await expect(Promise.all(puts)).resolves.toHaveLength(100);
    await expect(producer.put(recordOf(1, 1))).rejects.toMatchObject({ code: 'PLX_STREAM_PRODUCER_CLOSED' });
    expect((await readStream(client, streamName)).records).toHaveLength(100);
  });

  it('flush() sends without waiting for the linger time', async () => {
    const streamName = await newStream(1);
    const producer = producerFor(streamName, { lingerMs: 60_000 });
    const put = producer.put(recordOf(1, 1));
    await within(producer.flush(), 5_000, 'flush');
    await expect(put).resolves.toBeUndefined();
  });

  it('refuses records Kinesis could never take, before buffering them', async () => {
    const producer = producerFor(await newStream(1));
    await expect(producer.put({ ...recordOf(1, 1), payload: Buffer.alloc(1024 * 1024) })).rejects.toMatchObject({
      code: 'PLX_STREAM_RECORD_TOO_LARGE'
    });
    await expect(producer.put({ ...recordOf(1, 1), deviceId: 'x'.repeat(300) })).rejects.toMatchObject({ code: 'PLX_STREAM_INVALID_RECORD' });
    expect(producer.bufferedRecords).toBe(0);
  });

  it('putWithCallback settles each record once, with its context: after acceptance, or at once when refused', async () => {
    const streamName = await newStream(2);
    const { proxy, proxied } = await faultProxy();
    const producer = producerFor(streamName, {}, proxied);
    const settled: Array<[number, string | undefined]> = [];
    const onSettled = (context: number, error: Error | undefined) => settled.push([context, (error as { code?: string } | undefined)?.code]);
    proxy.holdAnswers();
    const answered = nextEvent(proxy, 'putRecords', 5_000);
    for (let device = 0; device < 20; device++) producer.putWithCallback(recordOf(device, 0), onSettled, device);
    producer.putWithCallback({ ...recordOf(99, 0), payload: Buffer.alloc(1024 * 1024) }, onSettled, 99);
    // The refusal is settled before putWithCallback returns; the others wait for the stream's answer.
    expect(settled).toEqual([[99, 'PLX_STREAM_RECORD_TOO_LARGE']]);
    await answered;
    expect(settled).toHaveLength(1);
    // flush() resolves once the buffer is empty, after the records' callbacks ran.
    const allSettled = producer.flush();
    proxy.release();
    await within(allSettled, 5_000, 'every record settled');
    expect(settled.slice(1).sort((a, b) => a[0] - b[0])).toEqual(Array.from({ length: 20 }, (_, device) => [device, undefined]));
  });

  it('keeps puts pending while the stream does not exist yet, and delivers once it does', async () => {
    const streamName = uniqueDatabaseName('stream');
    const producer = producerFor(streamName);
    const failed = nextEvent(producer, 'attemptFailed', 5_000);
    const put = producer.put(recordOf(1, 1));
    const [reason] = await failed;
    expect(reason).toContain('ResourceNotFoundException');
    await ensureStream(client, streamName, 1);
    await within(put, 10_000, 'put after the stream was created');
    expect((await readStream(client, streamName)).records.map((record) => record.messageId)).toEqual(['dev-1:1']);
  });
});

describe('ensureStream (integration: kinesalite)', () => {
  it('creates a stream once and waits until it is ACTIVE', async () => {
    const name = await newStream(2);
    await ensureStream(client, name, 5);
    const contents = await readStream(client, name);
    expect(contents.shardCount).toBe(2);
    expect(contents.records).toEqual([]);
  });
});
