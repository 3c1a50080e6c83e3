export { SHARD_END, type Checkpoint } from './checkpoint-store.ts';
export type { ConsumedRecord, LeasedShard, RecordOrigin, RecordPosition } from './consumed-record.ts';
export type { ConsumerCounters, ConsumerStats, ShardProgress } from './consumer-stats.ts';
export { consumerErrors } from './errors.ts';
export { StreamConsumer, type ConsumerEvents, type ConsumerLogger, type StreamConsumerOptions } from './stream-consumer.ts';
