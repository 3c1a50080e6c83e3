// Every Redis key of one application's consumers of one stream. The `{…}` hash tag keeps them in
// one Redis Cluster slot, so the scripts that check a lease and move a checkpoint may touch both.

export interface ConsumerKeys {
  /** Sorted set: worker id scored by the epoch millisecond its heartbeat expires. */
  readonly workers: string;
  /** Hash: shard id to its checkpoint. */
  readonly checkpoints: string;
  /** String: the id of the worker holding the shard, expiring unless renewed. */
  lease(shardId: string): string;
}

export function consumerKeys(streamName: string, application: string): ConsumerKeys {
  const prefix = `plexus:consumer:{${streamName}/${application}}`;
  return {
    workers: `${prefix}:workers`,
    checkpoints: `${prefix}:checkpoints`,
    lease: (shardId) => `${prefix}:lease:${shardId}`
  };
}
