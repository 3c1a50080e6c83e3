import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@plexus/test-harness';
import { Aggregate, deaggregate, MAX_AGGREGATE_BYTES, type AggregatedUserRecord } from './kpl-aggregation.ts';

// The reference encoder, to compare bytes with.
const reference = createRequire(import.meta.url)('aws-kinesis-agg') as {
  RecordAggregator: new () => { addUserRecord(record: AggregatedUserRecord): void; build(): { partitionKey: string; data: Buffer } };
};

function userRecords(count: number, keys: number, sizeOf: (index: number) => number): AggregatedUserRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    partitionKey: `tenant-${index % keys}/device-${(index * 7) % keys}`,
    data: Buffer.alloc(sizeOf(index), index % 251)
  }));
}

function build(records: readonly AggregatedUserRecord[]): { partitionKey: string; data: Buffer } {
  const aggregate = new Aggregate();
  for (const record of records) expect(aggregate.tryAdd(record)).toBe(true);
  return aggregate.build();
}

describe('KPL aggregate', () => {
  it('encodes the same bytes as aws-kinesis-agg, for multi-byte varints too', () => {
    // 300 keys: indexes past 127; sizes past 127 and 16,383 bytes: two- and three-byte lengths.
    const random = seededRandom(7);
    const records = userRecords(600, 300, (index) => (index % 50 === 0 ? 20_000 : Math.floor(random() * 400)));
    const ours = build(records);
    const theirs = new reference.RecordAggregator();
    for (const record of records) theirs.addUserRecord({ partitionKey: record.partitionKey, data: Buffer.from(record.data) });
    const expected = theirs.build();
    expect(ours.partitionKey).toBe(expected.partitionKey);
    expect(ours.data.equals(expected.data)).toBe(true);
  });

  it('de-aggregates (checksum verified) into the records put, in order', () => {
    const records = userRecords(50, 3, (index) => index * 3);
    const built = build(records);
    const read = deaggregate({ PartitionKey: built.partitionKey, SequenceNumber: '1', Data: built.data });
    expect(read.map((data) => [...data])).toEqual(records.map((record) => [...record.data]));
  });

  it('stops before a Kinesis record would pass MAX_AGGREGATE_BYTES, and always takes a first record', () => {
    const aggregate = new Aggregate();
    const record = { partitionKey: 'acme/meter-1', data: Buffer.alloc(100_000) };
    let added = 0;
    while (aggregate.tryAdd(record)) added++;
    expect(added).toBe(10);
    const built = aggregate.build();
    expect(built.data.length + built.partitionKey.length).toBeLessThanOrEqual(MAX_AGGREGATE_BYTES);
    const alone = new Aggregate();
    expect(alone.tryAdd({ partitionKey: 'k', data: Buffer.alloc(MAX_AGGREGATE_BYTES) })).toBe(true);
  });

  it('refuses to build an empty aggregate', () => {
    expect(() => new Aggregate().build()).toThrow();
  });
});
