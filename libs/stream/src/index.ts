export { ensureStream } from './ensure-stream.ts';
export { streamErrors } from './errors.ts';
export { createKinesisClient, type KinesisClientOptions } from './kinesis-client.ts';
export { KinesisProducer, type KinesisProducerOptions } from './kinesis-producer.ts';
export { decodeRecord, encodeRecord, RECORD_FORMAT_VERSION } from './record-codec.ts';
export { hashKeyOf, loadShardMap, ShardMap } from './shard-map.ts';
export type { PutSettled, StreamProducer, StreamProducerCounters } from './stream-producer.ts';
export { readStream, type StreamContents } from './stream-reader.ts';
export { MAX_PARTITION_KEY_LENGTH, partitionKeyOf, STREAM_RECORD_KINDS, type StreamRecord, type StreamRecordKind } from './stream-record.ts';
