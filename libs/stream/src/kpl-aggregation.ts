import { createRequire } from 'node:module';

// Typed access to aws-kinesis-agg (the KPL aggregated-record format: magic bytes, a protobuf of
// partition-key table and user records, an MD5 trailer). Its bundled typings import the v2 SDK
// and aws-lambda, which Plexus does not install, so the few calls used here are typed locally.

export interface AggregatedUserRecord {
  readonly partitionKey: string;
  readonly data: Buffer;
}

interface RecordAggregator {
  addUserRecord(record: AggregatedUserRecord): void;
  checkIfUserRecordFits(record: AggregatedUserRecord): boolean;
  build(): { partitionKey: string; data: Buffer } | undefined;
  length(): number;
}

interface V3UserRecord {
  PartitionKey: string;
  SequenceNumber: string;
  SubSequenceNumber?: number;
  Data: string;
}

interface AggregationModule {
  RecordAggregator: new () => RecordAggregator;
  deaggregateSync(
    record: { PartitionKey: string; SequenceNumber: string; Data: Uint8Array },
    computeChecksums: boolean,
    done: (error: Error | null | undefined, records?: V3UserRecord[]) => void
  ): void;
}

const aggregation = createRequire(import.meta.url)('aws-kinesis-agg') as AggregationModule;

/**
 * Kinesis caps a record at 1 MiB of data plus partition key; the library checks data only, so
 * aggregates stop a little earlier, leaving room for the aggregate's partition key and framing.
 */
export const MAX_AGGREGATE_BYTES = 1024 * 1024 - 1024;
/** Protobuf framing per user record, generously: field tags, lengths, key index. */
const FRAMING_BYTES_PER_RECORD = 16;

/** Collects user records into one Kinesis record of at most MAX_AGGREGATE_BYTES. */
export class Aggregate {
  readonly #aggregator = new aggregation.RecordAggregator();
  #count = 0;
  #bytes = 0;

  /** Adds the record if it still fits; false when the aggregate is full. The first record always goes in. */
  tryAdd(record: AggregatedUserRecord): boolean {
    const bytes = record.data.length + record.partitionKey.length + FRAMING_BYTES_PER_RECORD;
    if (this.#count > 0 && (this.#bytes + bytes > MAX_AGGREGATE_BYTES || !this.#aggregator.checkIfUserRecordFits(record))) return false;
    this.#aggregator.addUserRecord(record);
    this.#count++;
    this.#bytes += bytes;
    return true;
  }

  get count(): number {
    return this.#count;
  }

  /** The encoded Kinesis record; its partition key is the first user record's. */
  build(): { partitionKey: string; data: Buffer } {
    const built = this.#aggregator.build();
    if (built === undefined) throw new Error('an empty aggregate has nothing to build');
    return built;
  }
}

/** The user records inside one Kinesis record; a record that is not aggregated comes back as itself. */
export function deaggregate(record: { PartitionKey: string; SequenceNumber: string; Data: Uint8Array }): Buffer[] {
  let result: Buffer[] | undefined;
  let failure: Error | undefined;
  aggregation.deaggregateSync(record, true, (error, records) => {
    if (error) failure = error;
    else result = (records ?? []).map((user) => Buffer.from(user.Data, 'base64'));
  });
  if (failure !== undefined || result === undefined) throw failure ?? new Error('de-aggregation produced nothing');
  return result;
}
