import type { StreamRecord } from '@plexus/stream';

/** Where a user record sits in a shard: its Kinesis record, and its place inside that record when aggregated. */
export interface RecordPosition {
  readonly sequenceNumber: string;
  /** 0 for a record that was not aggregated. */
  readonly subSequenceNumber: number;
  /** True for the last user record of its Kinesis record: a reader resuming after it skips the whole Kinesis record. */
  readonly lastInKinesisRecord: boolean;
}

/** A decoded stream record as a consumer hands it to `processBatch`. */
export interface ConsumedRecord extends StreamRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subSequenceNumber: number;
}

/** The shard a batch came from; `signal` aborts when this worker lost the shard's lease. */
export interface LeasedShard {
  readonly shardId: string;
  readonly signal: AbortSignal;
}

/** Where bytes that are not a Plexus stream record were found, for the dead-letter entry. */
export interface RecordOrigin extends RecordPosition {
  readonly shardId: string;
}
