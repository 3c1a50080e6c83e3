import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import { deaggregate, decodeRecord } from '@plexus/stream';
import type { ConsumedRecord, RecordPosition } from './consumed-record.ts';

/** One user record of a page: decoded, or refused with the reason. */
export type ShardEntry =
  | { readonly position: RecordPosition; readonly record: ConsumedRecord }
  | { readonly position: RecordPosition; readonly raw: Uint8Array; readonly reason: string };

/**
 * De-aggregates and decodes the Kinesis records of one GetRecords page, in shard order. User
 * records at or before `skipThrough` are left out: they belong to an aggregate whose first part
 * was written before the checkpoint, and the reader resumed at that aggregate.
 */
export function unpackRecords(shardId: string, kinesisRecords: readonly KinesisRecord[], skipThrough: RecordPosition | null): ShardEntry[] {
  const entries: ShardEntry[] = [];
  for (const kinesisRecord of kinesisRecords) {
    const sequenceNumber = kinesisRecord.SequenceNumber as string;
    const data = kinesisRecord.Data ?? new Uint8Array(0);
    let userRecords: Buffer[];
    try {
      userRecords = deaggregate({ PartitionKey: kinesisRecord.PartitionKey as string, SequenceNumber: sequenceNumber, Data: data });
    } catch (error) {
      entries.push({ position: { sequenceNumber, subSequenceNumber: 0, lastInKinesisRecord: true }, raw: data, reason: `not a valid KPL aggregate: ${reasonOf(error)}` });
      continue;
    }
    const skipBelow = skipThrough !== null && skipThrough.sequenceNumber === sequenceNumber ? skipThrough.subSequenceNumber + 1 : 0;
    for (let subSequenceNumber = skipBelow; subSequenceNumber < userRecords.length; subSequenceNumber++) {
      const bytes = userRecords[subSequenceNumber] as Buffer;
      const position = { sequenceNumber, subSequenceNumber, lastInKinesisRecord: subSequenceNumber === userRecords.length - 1 };
      try {
        entries.push({ position, record: { ...decodeRecord(bytes), shardId, sequenceNumber, subSequenceNumber } });
      } catch (error) {
        entries.push({ position, raw: bytes, reason: reasonOf(error) });
      }
    }
  }
  return entries;
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
}
