/** What a record is about; consumers route on it without decoding the payload. */
export type StreamRecordKind = 'telemetry' | 'shadow' | 'usage';

export const STREAM_RECORD_KINDS: readonly StreamRecordKind[] = ['telemetry', 'shadow', 'usage'];

/** The envelope of everything the gateway writes to the ingest stream. */
export interface StreamRecord {
  readonly tenantId: string;
  readonly deviceId: string;
  /** Unique per device; with tenant and device it keys the stored point, so replays are idempotent. */
  readonly messageId: string;
  /** Epoch milliseconds at which the gateway received the message. */
  readonly receivedAt: number;
  readonly kind: StreamRecordKind;
  /** The MQTT topic as the device published it, when there was one. */
  readonly topic?: string;
  readonly payload: Uint8Array;
}

/** Kinesis caps partition keys at 256 characters. */
export const MAX_PARTITION_KEY_LENGTH = 256;

/** One partition key per device, so one device's records stay in order on one shard. */
export function partitionKeyOf(record: Pick<StreamRecord, 'tenantId' | 'deviceId'>): string {
  return `${record.tenantId}/${record.deviceId}`;
}
