import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { streamErrors } from './errors.ts';
import { deaggregate } from './kpl-aggregation.ts';
import { decodeRecord } from './record-codec.ts';
import { listAllShards } from './shard-map.ts';
import type { StreamRecord } from './stream-record.ts';

export interface StreamContents {
  /** Shard by shard, each in stream order, de-aggregated and decoded. */
  readonly records: StreamRecord[];
  /** How many Kinesis records carried them; fewer than `records.length` when aggregation packed them. */
  readonly kinesisRecordCount: number;
  readonly shardCount: number;
}

/**
 * Reads every record of every shard from TRIM_HORIZON to the current tip. Meant for tests, tools
 * and replays of small streams; the data plane's consumers read with leases and checkpoints.
 */
export async function readStream(client: KinesisClient, streamName: string): Promise<StreamContents> {
  const shards = await listAllShards(client, streamName);
  const records: StreamRecord[] = [];
  let kinesisRecordCount = 0;
  for (const shard of shards) {
    const start = await client.send(
      new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' })
    );
    let iterator = start.ShardIterator;
    while (iterator !== undefined) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      const pageRecords = page.Records ?? [];
      for (const kinesisRecord of pageRecords) {
        kinesisRecordCount++;
        const sequenceNumber = kinesisRecord.SequenceNumber as string;
        let userRecords: Buffer[];
        try {
          userRecords = deaggregate({
            PartitionKey: kinesisRecord.PartitionKey as string,
            SequenceNumber: sequenceNumber,
            Data: kinesisRecord.Data as Uint8Array
          });
        } catch (error) {
          throw streamErrors.corruptAggregate(sequenceNumber, (error as Error).message);
        }
        for (const bytes of userRecords) records.push(decodeRecord(bytes));
      }
      // An empty page at zero lag is the tip; a closed shard ends with no next iterator.
      if (pageRecords.length === 0 && (page.MillisBehindLatest ?? 0) === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return { records, kinesisRecordCount, shardCount: shards.length };
}
