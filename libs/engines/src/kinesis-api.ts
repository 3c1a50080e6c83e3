import { engineErrors } from './errors.ts';

// A minimal client for the Kinesis JSON protocol, enough for a health check and for creating a
// stream at platform start. Tools that only start engines do not carry the AWS SDK; the data
// path (@plexus/stream) uses the SDK.

const TARGET_PREFIX = 'Kinesis_20131202';
const REQUEST_TIMEOUT_MS = 5_000;

/** A Kinesis error answer: `__type` names the exception, e.g. `ResourceNotFoundException`. */
export class KinesisApiError extends Error {
  readonly type: string;
  readonly status: number;

  constructor(type: string, status: number, message: string) {
    super(`${type} (HTTP ${status}): ${message}`);
    this.type = type;
    this.status = status;
  }
}

/** POSTs one operation to `endpoint` and returns the parsed answer; throws KinesisApiError on an error answer. */
export async function kinesisApiCall<Answer>(endpoint: string, operation: string, body: object): Promise<Answer> {
  const now = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${TARGET_PREFIX}.${operation}`,
      'x-amz-date': now,
      // Local engines check that a SigV4 header is present and well-formed, not the signature.
      authorization: `AWS4-HMAC-SHA256 Credential=local/${now.slice(0, 8)}/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=local`
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  });
  const text = await response.text();
  const parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  if (!response.ok) {
    const type = String(parsed['__type'] ?? 'UnknownError').split('#').pop() as string;
    throw new KinesisApiError(type, response.status, String(parsed['message'] ?? parsed['Message'] ?? text));
  }
  return parsed as Answer;
}

/** Resolves when the Kinesis endpoint answers a real API call (ListStreams). */
export async function kinesisPing(endpoint: string): Promise<void> {
  await kinesisApiCall(endpoint, 'ListStreams', { Limit: 1 });
}

const STREAM_POLL_MS = 50;

/**
 * Creates the stream with `shardCount` shards unless it exists, then waits until it is ACTIVE.
 * An existing stream keeps its shard count: resharding is an operator's decision.
 */
export async function ensureKinesisStream(endpoint: string, name: string, shardCount: number, timeoutMs = 30_000): Promise<void> {
  try {
    await kinesisApiCall(endpoint, 'CreateStream', { StreamName: name, ShardCount: shardCount });
  } catch (error) {
    if (!(error instanceof KinesisApiError && error.type === 'ResourceInUseException')) throw error;
  }
  const deadline = Date.now() + timeoutMs;
  let status = 'unknown';
  while (Date.now() < deadline) {
    const summary = await kinesisApiCall<{ StreamDescriptionSummary: { StreamStatus: string } }>(endpoint, 'DescribeStreamSummary', {
      StreamName: name
    });
    status = summary.StreamDescriptionSummary.StreamStatus;
    if (status === 'ACTIVE') return;
    // Kinesis offers no notification for a status change; polling is the API's own contract.
    await new Promise((resolve) => setTimeout(resolve, STREAM_POLL_MS));
  }
  throw engineErrors.streamNotActive(name, endpoint, timeoutMs / 1000, status);
}
