import { CreateStreamCommand, DescribeStreamSummaryCommand, ResourceInUseException, type KinesisClient } from '@aws-sdk/client-kinesis';
import { streamErrors } from './errors.ts';

const STATUS_POLL_MS = 100;

/**
 * Creates the stream with `shardCount` shards unless it exists, then waits until it is ACTIVE.
 * An existing stream keeps its shard count: resharding is an operator's decision.
 */
export async function ensureStream(client: KinesisClient, streamName: string, shardCount: number, timeoutMs = 60_000): Promise<void> {
  try {
    await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const deadline = Date.now() + timeoutMs;
  let status = 'unknown';
  for (;;) {
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    status = summary.StreamDescriptionSummary?.StreamStatus ?? 'unknown';
    if (status === 'ACTIVE') return;
    if (Date.now() >= deadline) throw streamErrors.streamNotActive(streamName, timeoutMs / 1000, status);
    // Kinesis has no notification for a status change; polling DescribeStreamSummary is its contract.
    await new Promise((resolve) => setTimeout(resolve, STATUS_POLL_MS));
  }
}
