import { EventEmitter } from 'node:events';
import { PutRecordsCommand, type KinesisClient, type PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { streamErrors } from './errors.ts';
import { Aggregate, MAX_AGGREGATE_BYTES } from './kpl-aggregation.ts';
import { encodeRecord } from './record-codec.ts';
import { loadShardMap, type ShardMap } from './shard-map.ts';
import { MAX_PARTITION_KEY_LENGTH, partitionKeyOf, type StreamRecord } from './stream-record.ts';
import type { PutSettled, StreamProducer } from './stream-producer.ts';

export interface KinesisProducerOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  /** Destroy the client on close(); true when the producer is the client's only user. */
  readonly ownsClient?: boolean;
  /** How long a record may wait for company before a request goes out. */
  readonly lingerMs?: number;
  readonly maxInFlightRequests?: number;
  /** The buffer bound: records put and not yet acknowledged. */
  readonly maxBufferedRecords?: number;
  readonly maxBufferedBytes?: number;
  /** `saturated` clears (and 'drain' fires) once the buffer is down to this share of both bounds. */
  readonly lowWaterRatio?: number;
  readonly maxRequestBytes?: number;
  /** Ready shards get a request each only once a request holds this much; smaller ones share one. */
  readonly requestSpreadBytes?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
}

interface PendingRecord {
  readonly partitionKey: string;
  readonly data: Buffer;
  readonly settled: PutSettled<unknown>;
  readonly context: unknown;
}

/** How `put` settles its promise through the callback form. */
function settlePromise(promise: { resolve: () => void; reject: (error: Error) => void }, error: Error | undefined): void {
  if (error === undefined) promise.resolve();
  else promise.reject(error);
}

/**
 * The user records waiting for one shard. A lane has at most one aggregated record in flight:
 * Kinesis processes the entries of one PutRecords independently, so a second entry for the same
 * shard could be accepted while the first is throttled, and its records would overtake. One in
 * flight per shard keeps each device's records in order through any retry, and costs nothing
 * real: one aggregate carries up to 1 MiB, a shard's whole write limit for a second.
 */
interface ShardLane {
  readonly shardId: string;
  waiting: PendingRecord[];
  inFlight: boolean;
  failures: number;
  notBefore: number;
}

interface RequestEntry {
  readonly lane: ShardLane;
  readonly records: PendingRecord[];
  readonly partitionKey: string;
  readonly data: Buffer;
}

// Kinesis limits: 500 entries and 5 MiB (data plus partition keys) per PutRecords.
const MAX_REQUEST_ENTRIES = 500;
const MAX_REQUEST_BYTES = 5 * 1024 * 1024;
/** A user record must fit an aggregate on its own, with room for its framing. */
const MAX_USER_RECORD_BYTES = MAX_AGGREGATE_BYTES - 1024;

// Entry errors that go away by themselves; any other entry error is final for its records.
const RETRYABLE_ENTRY_ERRORS = new Set(['ProvisionedThroughputExceededException', 'InternalFailure', 'KMSThrottlingException']);
// Request errors that mean the request itself is wrong; repeating it cannot succeed.
const FINAL_REQUEST_ERRORS = new Set(['InvalidArgumentException', 'ValidationException']);

/**
 * StreamProducer on Kinesis: KPL-style aggregation of the records bound for the same shard,
 * batched PutRecords with a short linger and a few requests in flight, and retries with
 * exponential backoff and jitter until the stream accepts each record. A record's put resolves
 * only when the aggregated record carrying it was accepted.
 *
 * Besides 'saturated' and 'drain' it emits 'attemptFailed' (reason: string) for every failed
 * request, entry or shard lookup, for logs; the records concerned are retried or rejected.
 */
export class KinesisProducer extends EventEmitter implements StreamProducer {
  readonly #client: KinesisClient;
  readonly #streamName: string;
  readonly #ownsClient: boolean;
  readonly #lingerMs: number;
  readonly #maxInFlight: number;
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  readonly #lowWaterRatio: number;
  readonly #maxRequestBytes: number;
  readonly #requestSpreadBytes: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;

  #shardMap: ShardMap | undefined;
  #shardMapStale = true;
  #refreshingShardMap = false;
  #lanes = new Map<string, ShardLane>();
  /** Records put before the first shard map arrived. */
  #unplaced: PendingRecord[] = [];
  #waitingBytes = 0;
  #inFlightRequests = 0;
  #requestFailures = 0;
  #notBefore = 0;
  #lingerTimer: NodeJS.Timeout | undefined;
  #wakeTimer: { timer: NodeJS.Timeout; at: number } | undefined;
  #flushWaiters: Array<() => void> = [];
  #drainWaiters: Array<() => void> = [];
  #closing: Promise<void> | undefined;

  #bufferedRecords = 0;
  #bufferedBytes = 0;
  #saturated = false;
  #batches = 0;
  #retries = 0;
  #failures = 0;
  #acknowledgedRecords = 0;
  #acceptedKinesisRecords = 0;

  constructor(options: KinesisProducerOptions) {
    super();
    this.#client = options.client;
    this.#streamName = options.streamName;
    this.#ownsClient = options.ownsClient ?? false;
    this.#lingerMs = options.lingerMs ?? 10;
    this.#maxInFlight = options.maxInFlightRequests ?? 4;
    this.#maxRecords = options.maxBufferedRecords ?? 20_000;
    this.#maxBytes = options.maxBufferedBytes ?? 32 * 1024 * 1024;
    this.#lowWaterRatio = options.lowWaterRatio ?? 0.5;
    this.#maxRequestBytes = Math.min(options.maxRequestBytes ?? MAX_REQUEST_BYTES, MAX_REQUEST_BYTES);
    this.#requestSpreadBytes = options.requestSpreadBytes ?? 256 * 1024;
    this.#retryBaseMs = options.retryBaseMs ?? 50;
    this.#retryMaxMs = options.retryMaxMs ?? 5_000;
  }

  get bufferedRecords(): number {
    return this.#bufferedRecords;
  }
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }
  get batches(): number {
    return this.#batches;
  }
  get retries(): number {
    return this.#retries;
  }
  get failures(): number {
    return this.#failures;
  }
  get acknowledgedRecords(): number {
    return this.#acknowledgedRecords;
  }
  /** Aggregated Kinesis records the stream accepted; far fewer than acknowledgedRecords when aggregation works. */
  get acceptedKinesisRecords(): number {
    return this.#acceptedKinesisRecords;
  }
  get inFlightRequests(): number {
    return this.#inFlightRequests;
  }
  get saturated(): boolean {
    return this.#saturated;
  }

  put(record: StreamRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => this.putWithCallback(record, settlePromise, { resolve, reject }));
  }

  /**
   * `put` without a promise per record, for the hot path: `settled(context, error?)` runs once,
   * and the records of an answered request are settled in one pass.
   */
  putWithCallback<Context>(record: StreamRecord, settled: PutSettled<Context>, context: Context): void {
    if (this.#closing !== undefined) return settled(context, streamErrors.producerClosed());
    const partitionKey = partitionKeyOf(record);
    if (partitionKey.length > MAX_PARTITION_KEY_LENGTH) {
      return settled(context, streamErrors.invalidRecord(`partition key '${partitionKey.slice(0, 40)}…' is longer than ${MAX_PARTITION_KEY_LENGTH} characters`));
    }
    const data = encodeRecord(record);
    if (data.length + partitionKey.length > MAX_USER_RECORD_BYTES) {
      return settled(context, streamErrors.recordTooLarge(data.length + partitionKey.length, MAX_USER_RECORD_BYTES));
    }
    // The hard bound: a caller that ignores `saturated` gets a refusal, never an unbounded queue.
    if (this.#bufferedRecords >= this.#maxRecords || this.#bufferedBytes >= this.#maxBytes) {
      return settled(context, streamErrors.bufferFull(this.#bufferedRecords, this.#bufferedBytes));
    }
    this.#bufferedRecords++;
    this.#bufferedBytes += data.length;
    this.#place({ partitionKey, data, settled: settled as PutSettled<unknown>, context });
    this.#updateSaturation();
    this.#schedule();
  }

  flush(): Promise<void> {
    if (this.#bufferedRecords === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#flushWaiters.push(resolve);
      this.#schedule();
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.flush();
      clearTimeout(this.#lingerTimer);
      if (this.#wakeTimer !== undefined) clearTimeout(this.#wakeTimer.timer);
      if (this.#ownsClient) this.#client.destroy();
    })();
    return this.#closing;
  }

  whenDrained(): Promise<void> {
    if (!this.#saturated) return Promise.resolve();
    return new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
  }

  #place(record: PendingRecord): void {
    this.#waitingBytes += record.data.length;
    if (this.#shardMap === undefined) {
      this.#unplaced.push(record);
      return;
    }
    this.#laneOf(this.#shardMap.shardFor(record.partitionKey)).waiting.push(record);
  }

  #laneOf(shardId: string): ShardLane {
    let lane = this.#lanes.get(shardId);
    if (lane === undefined) {
      lane = { shardId, waiting: [], inFlight: false, failures: 0, notBefore: 0 };
      this.#lanes.set(shardId, lane);
    }
    return lane;
  }

  /** Sends at once when a full request is waiting or someone flushes; otherwise lets records linger. */
  #schedule(): void {
    if (this.#waitingBytes >= this.#maxRequestBytes || this.#flushWaiters.length > 0) {
      clearTimeout(this.#lingerTimer);
      this.#lingerTimer = undefined;
      this.#dispatch();
    } else if (this.#lingerTimer === undefined) {
      this.#lingerTimer = setTimeout(() => {
        this.#lingerTimer = undefined;
        this.#dispatch();
      }, this.#lingerMs);
    }
  }

  #dispatch(): void {
    if (this.#shardMapStale) {
      // A new map is taken only with nothing in flight, so no lane of the old map can still
      // retry records that the new map has already sent elsewhere.
      if (this.#inFlightRequests === 0) void this.#refreshShardMap();
      return;
    }
    const now = Date.now();
    if (now < this.#notBefore) {
      this.#wakeAt(this.#notBefore);
      return;
    }
    // Ready lanes are spread over the free request slots: with few shards, one request per lane
    // lets the next request be encoded while the stream still works on the previous one. Small
    // aggregates still share a request (see #buildRequest): each request has a fixed cost
    // (signing, the SDK's middleware, HTTP) that small ones would pay per few records.
    let readyLanes = 0;
    for (const lane of this.#lanes.values()) if (!lane.inFlight && lane.waiting.length > 0 && lane.notBefore <= now) readyLanes++;
    while (this.#inFlightRequests < this.#maxInFlight) {
      const entries = this.#buildRequest(now, Math.max(1, Math.ceil(readyLanes / (this.#maxInFlight - this.#inFlightRequests))));
      readyLanes -= entries.length;
      if (entries.length === 0) break;
      this.#inFlightRequests++;
      void this.#send(entries);
    }
    let nextWake = Infinity;
    for (const lane of this.#lanes.values()) {
      if (!lane.inFlight && lane.waiting.length > 0 && lane.notBefore > now) nextWake = Math.min(nextWake, lane.notBefore);
    }
    if (nextWake !== Infinity) this.#wakeAt(nextWake);
  }

  /**
   * One aggregated record per free lane, within the request limits: `spreadEntries` lanes, or
   * more while the request is still smaller than `requestSpreadBytes`.
   */
  #buildRequest(now: number, spreadEntries: number): RequestEntry[] {
    const entries: RequestEntry[] = [];
    let requestBytes = 0;
    for (const lane of this.#lanes.values()) {
      if (entries.length >= MAX_REQUEST_ENTRIES || (entries.length >= spreadEntries && requestBytes >= this.#requestSpreadBytes)) break;
      if (lane.inFlight || lane.waiting.length === 0 || lane.notBefore > now) continue;
      const aggregate = new Aggregate();
      let taken = 0;
      while (taken < lane.waiting.length) {
        const record = lane.waiting[taken] as PendingRecord;
        if (!aggregate.tryAdd(record)) break;
        taken++;
      }
      const built = aggregate.build();
      const entryBytes = built.data.length + built.partitionKey.length;
      if (entries.length > 0 && requestBytes + entryBytes > this.#maxRequestBytes) break;
      const records = lane.waiting.splice(0, taken);
      for (const record of records) this.#waitingBytes -= record.data.length;
      lane.inFlight = true;
      requestBytes += entryBytes;
      entries.push({ lane, records, partitionKey: built.partitionKey, data: built.data });
    }
    return entries;
  }

  async #send(entries: RequestEntry[]): Promise<void> {
    try {
      const answer = await this.#client.send(
        new PutRecordsCommand({
          StreamName: this.#streamName,
          Records: entries.map((entry) => ({ PartitionKey: entry.partitionKey, Data: entry.data }))
        })
      );
      this.#batches++;
      this.#requestFailures = 0;
      const results = answer.Records ?? [];
      entries.forEach((entry, index) => this.#settleEntry(entry, results[index]));
    } catch (error) {
      this.#batches++;
      this.#failures++;
      const name = (error as Error).name;
      this.emit('attemptFailed', `PutRecords: ${name}: ${(error as Error).message}`);
      if (FINAL_REQUEST_ERRORS.has(name)) {
        for (const entry of entries) this.#rejectEntry(entry, streamErrors.putRejected(name, (error as Error).message));
      } else {
        // Network errors, throttling of the whole request, 5xx, a missing stream: all pass.
        this.#requestFailures++;
        this.#notBefore = Date.now() + this.#backoff(this.#requestFailures);
        if (name === 'ResourceNotFoundException') this.#shardMapStale = true;
        for (const entry of entries) this.#requeue(entry);
      }
    } finally {
      this.#inFlightRequests--;
      this.#afterSettle();
    }
  }

  #settleEntry(entry: RequestEntry, result: PutRecordsResultEntry | undefined): void {
    entry.lane.inFlight = false;
    if (result !== undefined && result.ErrorCode === undefined && result.SequenceNumber !== undefined) {
      entry.lane.failures = 0;
      // Kinesis placed the record elsewhere than the map predicted: the stream was resharded.
      if (result.ShardId !== undefined && result.ShardId !== entry.lane.shardId) this.#shardMapStale = true;
      this.#acceptedKinesisRecords++;
      for (const record of entry.records) {
        this.#acknowledgedRecords++;
        this.#release(record);
        record.settled(record.context, undefined);
      }
      return;
    }
    this.#failures++;
    const code = result?.ErrorCode ?? 'MissingResult';
    this.emit('attemptFailed', `PutRecords entry for ${entry.lane.shardId}: ${code}`);
    if (result === undefined || RETRYABLE_ENTRY_ERRORS.has(code)) {
      entry.lane.failures++;
      entry.lane.notBefore = Date.now() + this.#backoff(entry.lane.failures);
      this.#requeue(entry);
    } else {
      this.#rejectEntry(entry, streamErrors.putRejected(code, result.ErrorMessage ?? ''));
    }
  }

  /** Back to the front of its lane, ahead of anything put since, so order holds. */
  #requeue(entry: RequestEntry): void {
    entry.lane.inFlight = false;
    this.#retries++;
    entry.lane.waiting = entry.records.concat(entry.lane.waiting);
    for (const record of entry.records) this.#waitingBytes += record.data.length;
  }

  #rejectEntry(entry: RequestEntry, error: Error): void {
    entry.lane.inFlight = false;
    for (const record of entry.records) {
      this.#release(record);
      record.settled(record.context, error);
    }
  }

  #release(record: PendingRecord): void {
    this.#bufferedRecords--;
    this.#bufferedBytes -= record.data.length;
  }

  #afterSettle(): void {
    this.#updateSaturation();
    if (this.#bufferedRecords === 0) {
      const waiters = this.#flushWaiters;
      this.#flushWaiters = [];
      for (const resolve of waiters) resolve();
      return;
    }
    // Whatever waited while the previous request was in flight has lingered long enough.
    this.#dispatch();
  }

  async #refreshShardMap(): Promise<void> {
    if (this.#refreshingShardMap) return;
    this.#refreshingShardMap = true;
    try {
      const map = await loadShardMap(this.#client, this.#streamName);
      // Lane by lane, each in order: one device's records all sit in one old lane, so they
      // reach their new lane in the order they were put.
      const waiting = [...this.#lanes.values()].flatMap((lane) => lane.waiting).concat(this.#unplaced);
      this.#lanes = new Map();
      this.#unplaced = [];
      this.#waitingBytes = 0;
      this.#shardMap = map;
      this.#shardMapStale = false;
      this.#requestFailures = 0;
      for (const shardId of map.shardIds) this.#laneOf(shardId);
      for (const record of waiting) this.#place(record);
    } catch (error) {
      this.emit('attemptFailed', `ListShards: ${(error as Error).name}: ${(error as Error).message}`);
      this.#failures++;
      this.#requestFailures++;
      this.#notBefore = Date.now() + this.#backoff(this.#requestFailures);
    } finally {
      this.#refreshingShardMap = false;
    }
    if (this.#shardMapStale) this.#wakeAt(this.#notBefore);
    else this.#dispatch();
  }

  /** Exponential backoff with equal jitter: half the step for sure, the other half at random. */
  #backoff(attempt: number): number {
    const step = Math.min(this.#retryMaxMs, this.#retryBaseMs * 2 ** Math.min(attempt - 1, 20));
    return step / 2 + Math.random() * (step / 2);
  }

  #wakeAt(at: number): void {
    if (this.#wakeTimer !== undefined && this.#wakeTimer.at <= at) return;
    if (this.#wakeTimer !== undefined) clearTimeout(this.#wakeTimer.timer);
    const timer = setTimeout(
      () => {
        this.#wakeTimer = undefined;
        this.#dispatch();
      },
      Math.max(0, at - Date.now())
    );
    this.#wakeTimer = { timer, at };
  }

  #updateSaturation(): void {
    if (!this.#saturated && (this.#bufferedRecords >= this.#maxRecords || this.#bufferedBytes >= this.#maxBytes)) {
      this.#saturated = true;
      this.emit('saturated');
    } else if (
      this.#saturated &&
      this.#bufferedRecords <= this.#maxRecords * this.#lowWaterRatio &&
      this.#bufferedBytes <= this.#maxBytes * this.#lowWaterRatio
    ) {
      this.#saturated = false;
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const resolve of waiters) resolve();
      this.emit('drain');
    }
  }
}
