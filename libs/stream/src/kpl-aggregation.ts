import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

// The KPL aggregated-record format: 4 magic bytes, a protobuf AggregatedRecord (partition-key
// table, then one Record per user record: key index and data), then the MD5 of the protobuf.
// Aggregates are encoded here in one pass into one buffer; the aws-kinesis-agg encoder built a
// protobufjs object graph per aggregate and concatenated three buffers, and was the producer's
// largest cost per record. Reading (deaggregate) still uses aws-kinesis-agg, so every aggregate
// written here is checked against the reference decoder in the tests.

export interface AggregatedUserRecord {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

interface V3UserRecord {
  PartitionKey: string;
  SequenceNumber: string;
  SubSequenceNumber?: number;
  Data: string;
}

interface DeaggregationModule {
  deaggregateSync(
    record: { PartitionKey: string; SequenceNumber: string; Data: Uint8Array },
    computeChecksums: boolean,
    done: (error: Error | null | undefined, records?: V3UserRecord[]) => void
  ): void;
}

// Its bundled typings import the v2 SDK and aws-lambda, which Plexus does not install.
const aggregation = createRequire(import.meta.url)('aws-kinesis-agg') as DeaggregationModule;

/**
 * Kinesis caps a record at 1 MiB of data plus partition key; aggregates stop a little earlier,
 * leaving room for the aggregate's partition key.
 */
export const MAX_AGGREGATE_BYTES = 1024 * 1024 - 1024;
const MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);
const CHECKSUM_BYTES = 16;
// Protobuf keys: field number << 3 | wire type 2 (length-delimited) or 0 (varint).
const PARTITION_KEY_TABLE_KEY = (1 << 3) | 2;
const RECORDS_KEY = (3 << 3) | 2;
const RECORD_PARTITION_KEY_INDEX_KEY = (1 << 3) | 0;
const RECORD_DATA_KEY = (3 << 3) | 2;

function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

function writeVarint(target: Buffer, offset: number, value: number): number {
  while (value >= 0x80) {
    target[offset++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  target[offset++] = value;
  return offset;
}

/** Collects user records into one Kinesis record of at most MAX_AGGREGATE_BYTES. */
export class Aggregate {
  readonly #keyIndexes = new Map<string, number>();
  readonly #keys: Buffer[] = [];
  readonly #records: AggregatedUserRecord[] = [];
  readonly #indexes: number[] = [];
  /** The encoded protobuf's exact length so far. */
  #protobufBytes = 0;

  /** Adds the record if it still fits; false when the aggregate is full. The first record always goes in. */
  tryAdd(record: AggregatedUserRecord): boolean {
    let index = this.#keyIndexes.get(record.partitionKey);
    let keyBytes = 0;
    let key: Buffer | undefined;
    if (index === undefined) {
      key = Buffer.from(record.partitionKey, 'utf8');
      keyBytes = 1 + varintBytes(key.length) + key.length;
      index = this.#keys.length;
    }
    const inner = 1 + varintBytes(index) + 1 + varintBytes(record.data.length) + record.data.length;
    const added = keyBytes + 1 + varintBytes(inner) + inner;
    const firstKeyLength = this.#keys[0]?.length ?? key?.length ?? 0;
    const recordBytes = MAGIC.length + this.#protobufBytes + added + CHECKSUM_BYTES + firstKeyLength;
    if (this.#records.length > 0 && recordBytes > MAX_AGGREGATE_BYTES) return false;
    if (key !== undefined) {
      this.#keyIndexes.set(record.partitionKey, index);
      this.#keys.push(key);
    }
    this.#records.push(record);
    this.#indexes.push(index);
    this.#protobufBytes += added;
    return true;
  }

  get count(): number {
    return this.#records.length;
  }

  /** The encoded Kinesis record; its partition key is the first user record's. */
  build(): { partitionKey: string; data: Buffer } {
    const first = this.#records[0];
    if (first === undefined) throw new Error('an empty aggregate has nothing to build');
    const data = Buffer.allocUnsafe(MAGIC.length + this.#protobufBytes + CHECKSUM_BYTES);
    let offset = MAGIC.copy(data, 0);
    for (const key of this.#keys) {
      data[offset++] = PARTITION_KEY_TABLE_KEY;
      offset = writeVarint(data, offset, key.length);
      offset += key.copy(data, offset);
    }
    for (let position = 0; position < this.#records.length; position++) {
      const record = this.#records[position] as AggregatedUserRecord;
      const index = this.#indexes[position] as number;
      data[offset++] = RECORDS_KEY;
      offset = writeVarint(data, offset, 1 + varintBytes(index) + 1 + varintBytes(record.data.length) + record.data.length);
      data[offset++] = RECORD_PARTITION_KEY_INDEX_KEY;
      offset = writeVarint(data, offset, index);
      data[offset++] = RECORD_DATA_KEY;
      offset = writeVarint(data, offset, record.data.length);
      data.set(record.data, offset);
      offset += record.data.length;
    }
    createHash('md5').update(data.subarray(MAGIC.length, offset)).digest().copy(data, offset);
    return { partitionKey: first.partitionKey, data };
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
