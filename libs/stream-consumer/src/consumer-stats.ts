import type { Checkpoint } from './checkpoint-store.ts';

/**
 * A shard's reading progress. Kinesis cannot count the records between a position and the tip,
 * so lag is `millisBehindLatest` (from GetRecords) plus the size of the last read: a read that
 * came back full means more records are waiting.
 */
export interface ShardProgress {
  readonly shardId: string;
  /** How far the last read was behind the tip of the shard; 0 when caught up. */
  millisBehindLatest: number;
  /** Kinesis records returned by the last GetRecords (at most `maxRecordsPerRead`). */
  kinesisRecordsInLastRead: number;
  /** User records in them after de-aggregation. */
  userRecordsInLastRead: number;
  /** Epoch milliseconds of the last GetRecords answer, 0 before the first. */
  lastReadAt: number;
  checkpoint: Checkpoint | null;
}

/** Monotonic counters of one consumer since it started; an app exposes them as metrics. */
export interface ConsumerCounters {
  /** Batches written and checkpointed. */
  batches: number;
  /** Decoded records in those batches. */
  records: number;
  /** Records handed to `onUndecodable` and checkpointed past. */
  undecodable: number;
  /** `processBatch` or `onUndecodable` rejections; each is retried. */
  batchFailures: number;
  /** GetRecords or GetShardIterator failures; each is retried. */
  readFailures: number;
  /** Leases taken because nobody held them (free, released or expired). */
  leaseTakes: number;
  /** Leases taken from another worker: a dead one, or one over its fair share. */
  leaseSteals: number;
  /** Leases this worker found it no longer held (stolen, or expired before renewal). */
  leaseLosses: number;
  /** Closed shards processed to their end. */
  shardsEnded: number;
}

export interface ConsumerStats {
  readonly workerId: string;
  readonly counters: Readonly<ConsumerCounters>;
  /** The shards this worker holds now. */
  readonly shards: readonly Readonly<ShardProgress>[];
}

export function emptyCounters(): ConsumerCounters {
  return { batches: 0, records: 0, undecodable: 0, batchFailures: 0, readFailures: 0, leaseTakes: 0, leaseSteals: 0, leaseLosses: 0, shardsEnded: 0 };
}
