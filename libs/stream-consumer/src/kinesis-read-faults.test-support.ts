import { createServer, type Server } from 'node:http';

// A Kinesis endpoint for tests in front of kinesalite that answers chosen GetRecords calls with
// a Kinesis error instead of forwarding them, as real Kinesis does when an iterator expired
// (after 5 minutes) or a shard's read throughput is exceeded. Everything else is forwarded.

export class KinesisReadFaults {
  readonly #upstream: string;
  readonly #server: Server;
  readonly #faults = new Map<number, string>();
  #port = 0;
  getRecordsCalls = 0;
  getShardIteratorCalls = 0;

  constructor(upstream: string) {
    this.#upstream = upstream;
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const target = String(request.headers['x-amz-target'] ?? '');
        if (target.endsWith('.GetShardIterator')) this.getShardIteratorCalls++;
        const fault = target.endsWith('.GetRecords') ? this.#faults.get(++this.getRecordsCalls) : undefined;
        if (fault !== undefined) {
          response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
          response.end(JSON.stringify({ __type: fault, message: `injected ${fault}` }));
          return;
        }
        const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== 'host' && name !== 'connection')) as Record<string, string>;
        fetch(`${this.#upstream}${request.url ?? '/'}`, { method: request.method, headers, body: Buffer.concat(chunks) })
          .then(async (answer) => {
            response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/x-amz-json-1.1' });
            response.end(Buffer.from(await answer.arrayBuffer()));
          })
          .catch((error: unknown) => {
            response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
            response.end(JSON.stringify({ __type: 'InternalFailure', message: String(error) }));
          });
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Answers the `call`-th GetRecords (counting from 1) with the Kinesis error `errorType`. */
  failGetRecords(call: number, errorType: string): void {
    this.#faults.set(call, errorType);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.#server.address();
    if (address !== null && typeof address === 'object') this.#port = address.port;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }
}
