import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface KinesisClientOptions {
  /** A local or private endpoint such as kinesalite's `http://127.0.0.1:4567`; AWS's own endpoint when absent. */
  readonly endpoint?: string;
  /** Defaults to AWS_REGION, else us-east-1 (any region works against a local endpoint). */
  readonly region?: string;
  /** Sockets per host; at least the producer's requests in flight plus a reader. */
  readonly maxSockets?: number;
  readonly requestTimeoutMs?: number;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'plexus-local', secretAccessKey: 'plexus-local' };

/**
 * A Kinesis client over HTTP/1.1 keep-alive. The SDK's default HTTP/2 handler is not spoken by
 * local engines. The SDK's own retries are off: the producer retries per entry and counts it,
 * and a hidden retry layer would double the waits and hide throttling from the metrics.
 */
export function createKinesisClient(options: KinesisClientOptions = {}): KinesisClient {
  const maxSockets = options.maxSockets ?? 16;
  const local = options.endpoint !== undefined && process.env['AWS_ACCESS_KEY_ID'] === undefined;
  return new KinesisClient({
    region: options.region ?? process.env['AWS_REGION'] ?? 'us-east-1',
    maxAttempts: 1,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    // A local endpoint checks only that a signature is present; real credentials come from the
    // SDK's default chain when AWS_ACCESS_KEY_ID (or no endpoint) says this is AWS.
    ...(local ? { credentials: LOCAL_CREDENTIALS } : {}),
    requestHandler: new NodeHttpHandler({
      httpAgent: new Agent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
      connectionTimeout: 2_000,
      requestTimeout: options.requestTimeoutMs ?? 10_000
    })
  });
}
