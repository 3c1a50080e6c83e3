import { setTimeout as delay } from 'node:timers/promises';
import { GetRecordsCommand, GetShardIteratorCommand, type GetRecordsCommandOutput, type KinesisClient } from '@aws-sdk/client-kinesis';
import { SHARD_END, type Checkpoint, type CheckpointStore } from './checkpoint-store.ts';
import type { ConsumedRecord, LeasedShard, RecordOrigin, RecordPosition } from './consumed-record.ts';
import type { ConsumerCounters, ShardProgress } from './consumer-stats.ts';
import { unpackRecords, type ShardEntry } from './record-unpacking.ts';

/**
 * What a page of GetRecords should hold at most. Kinesis caps an answer at 10 MiB, but a page of
 * KPL aggregates (up to 1 MiB each) from an engine without that cap (kinesalite) can hold a
 * whole shard's backlog, decoded in one synchronous pass while leases go unrenewed. The reader
 * sizes its Limit by the records it has seen so a page stays near this.
 */
export const TARGET_PAGE_BYTES = 4 * 1024 * 1024;
/** The first page of a shard, before any record was seen: at most 10 MiB even if every record is a full aggregate. */
const FIRST_PAGE_LIMIT = 10;

/** The next page's Limit: as many records of the last page's average size as fit the target. */
export function nextPageLimit(records: readonly { Data?: Uint8Array }[], previousLimit: number, maxRecordsPerRead: number): number {
  if (records.length === 0) return previousLimit;
  let bytes = 0;
  for (const record of records) bytes += record.Data?.byteLength ?? 0;
  const average = Math.max(bytes / records.length, 1);
  return Math.max(1, Math.min(maxRecordsPerRead, Math.floor(TARGET_PAGE_BYTES / average)));
}

export interface ReadSettings {
  readonly maxRecordsPerRead: number;
  readonly maxBatchRecords: number;
  readonly idlePollMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
}

export interface BatchHandlers {
  processBatch(records: ConsumedRecord[], shard: LeasedShard): Promise<void>;
  onUndecodable(raw: Uint8Array, reason: string, origin: RecordOrigin): Promise<void>;
}

export interface ShardReaderOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  readonly shardId: string;
  readonly workerId: string;
  readonly checkpoints: CheckpointStore;
  readonly settings: ReadSettings;
  readonly handlers: BatchHandlers;
  readonly counters: ConsumerCounters;
  readonly progress: ShardProgress;
  /** Aborts when the lease is lost: nothing more is written or checkpointed. */
  readonly lost: AbortSignal;
  /** Aborts on a graceful stop: the batch in flight is finished and checkpointed first. */
  readonly stop: AbortSignal;
  readonly onCheckpoint: (checkpoint: Checkpoint) => void;
  readonly onFailure: (error: unknown, during: 'read' | 'batch') => void;
}

/**
 * How a reader ended: it processed its closed shard to the end, found it processed to the end
 * already (leased on a stale view of the checkpoints), was stopped gracefully, or lost its lease.
 */
export type ShardOutcome = 'ended' | 'ended-before' | 'stopped' | 'lost';

// Throttling leaves the iterator valid; any other read failure (an expired iterator above all)
// starts again from the last checkpoint.
const KEEP_ITERATOR_ON = new Set(['ProvisionedThroughputExceededException', 'LimitExceededException', 'KMSThrottlingException']);

/** Reads one leased shard from its checkpoint, hands batches to the handlers, and checkpoints each once written. */
export class ShardReader {
  readonly #options: ShardReaderOptions;
  readonly #halt: AbortSignal;
  readonly #shard: LeasedShard;
  #resumeFrom: Checkpoint | null = null;

  constructor(options: ShardReaderOptions) {
    this.#options = options;
    this.#halt = AbortSignal.any([options.lost, options.stop]);
    this.#shard = { shardId: options.shardId, signal: options.lost };
  }

  async run(): Promise<ShardOutcome> {
    const { checkpoints, shardId, settings, progress } = this.#options;
    this.#resumeFrom = await checkpoints.get(shardId);
    progress.checkpoint = this.#resumeFrom;
    if (this.#resumeFrom === SHARD_END) return 'ended-before';
    let iterator: string | undefined;
    let skipThrough: RecordPosition | null = null;
    let failures = 0;
    let limit = Math.min(FIRST_PAGE_LIMIT, settings.maxRecordsPerRead);
    while (!this.#halt.aborted) {
      let page: GetRecordsCommandOutput;
      try {
        if (iterator === undefined) {
          iterator = await this.#iteratorFromCheckpoint();
          skipThrough = this.#partOfAggregateWritten();
        }
        page = await this.#options.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }), { abortSignal: this.#halt });
      } catch (error) {
        if (this.#halt.aborted) break;
        this.#options.counters.readFailures++;
        this.#options.onFailure(error, 'read');
        if (!KEEP_ITERATOR_ON.has((error as Error).name)) iterator = undefined;
        await this.#pause(this.#backoff(++failures));
        continue;
      }
      failures = 0;
      const kinesisRecords = page.Records ?? [];
      const entries = unpackRecords(shardId, kinesisRecords, skipThrough);
      skipThrough = null;
      progress.millisBehindLatest = page.MillisBehindLatest ?? 0;
      progress.kinesisRecordsInLastRead = kinesisRecords.length;
      progress.userRecordsInLastRead = entries.length;
      progress.lastReadAt = Date.now();
      for (let start = 0; start < entries.length; start += settings.maxBatchRecords) {
        if (this.#halt.aborted) return this.#outcome();
        const delivered = await this.#deliver(entries.slice(start, start + settings.maxBatchRecords));
        if (delivered !== 'saved') return delivered;
      }
      if (page.NextShardIterator === undefined) {
        // A closed shard read to its end: its children may be leased once this is saved.
        if (!(await this.#saveCheckpoint(SHARD_END))) return 'lost';
        return 'ended';
      }
      iterator = page.NextShardIterator;
      const caughtUp = kinesisRecords.length < limit && progress.millisBehindLatest === 0;
      limit = nextPageLimit(kinesisRecords, limit, settings.maxRecordsPerRead);
      if (caughtUp) await this.#pause(settings.idlePollMs);
    }
    return this.#outcome();
  }

  /** The checkpoint when it lies inside an aggregate, whose records up to it the reader must skip. */
  #partOfAggregateWritten(): RecordPosition | null {
    const resumeFrom = this.#resumeFrom;
    return resumeFrom === null || resumeFrom === SHARD_END || resumeFrom.lastInKinesisRecord ? null : resumeFrom;
  }

  async #iteratorFromCheckpoint(): Promise<string> {
    const { client, streamName, shardId } = this.#options;
    const resumeFrom = this.#resumeFrom;
    const position =
      resumeFrom === null || resumeFrom === SHARD_END
        ? { ShardIteratorType: 'TRIM_HORIZON' as const }
        : {
            // Inside an aggregate the rest of it is still due: read it again and skip what was written.
            ShardIteratorType: resumeFrom.lastInKinesisRecord ? ('AFTER_SEQUENCE_NUMBER' as const) : ('AT_SEQUENCE_NUMBER' as const),
            StartingSequenceNumber: resumeFrom.sequenceNumber
          };
    const answer = await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ...position }), { abortSignal: this.#halt });
    return answer.ShardIterator as string;
  }

  /** Writes one batch, retrying it until it succeeds or the reader must stop, then checkpoints it. */
  async #deliver(entries: ShardEntry[]): Promise<'saved' | 'stopped' | 'lost'> {
    const { handlers, shardId, counters } = this.#options;
    const records: ConsumedRecord[] = [];
    const undecodable: Array<{ raw: Uint8Array; reason: string; origin: RecordOrigin }> = [];
    for (const entry of entries) {
      if ('record' in entry) records.push(entry.record);
      else undecodable.push({ raw: entry.raw, reason: entry.reason, origin: { shardId, ...entry.position } });
    }
    for (let attempt = 1; ; attempt++) {
      try {
        for (const bad of undecodable) await handlers.onUndecodable(bad.raw, bad.reason, bad.origin);
        if (records.length > 0) await handlers.processBatch(records, this.#shard);
        break;
      } catch (error) {
        counters.batchFailures++;
        this.#options.onFailure(error, 'batch');
        // Never skipped: the batch is retried until it is written, or left to the next holder.
        if (this.#halt.aborted) return this.#outcome();
        await this.#pause(this.#backoff(attempt));
        if (this.#halt.aborted) return this.#outcome();
      }
    }
    const last = (entries[entries.length - 1] as ShardEntry).position;
    if (!(await this.#saveCheckpoint(last))) return 'lost';
    counters.batches++;
    counters.records += records.length;
    counters.undecodable += undecodable.length;
    return 'saved';
  }

  async #saveCheckpoint(checkpoint: Checkpoint): Promise<boolean> {
    const { checkpoints, shardId, workerId, progress } = this.#options;
    if (this.#options.lost.aborted || !(await checkpoints.save(shardId, workerId, checkpoint))) return false;
    this.#resumeFrom = checkpoint;
    progress.checkpoint = checkpoint;
    this.#options.onCheckpoint(checkpoint);
    return true;
  }

  #outcome(): 'stopped' | 'lost' {
    return this.#options.lost.aborted ? 'lost' : 'stopped';
  }

  #backoff(attempt: number): number {
    const { retryBaseMs, retryMaxMs } = this.#options.settings;
    return Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(attempt - 1, 20));
  }

  /** Waits `ms`, or less when the reader must stop. */
  async #pause(ms: number): Promise<void> {
    await delay(ms, undefined, { signal: this.#halt }).catch(() => undefined);
  }
}
