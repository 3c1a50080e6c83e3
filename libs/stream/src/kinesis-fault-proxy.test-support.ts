import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { deaggregate } from './kpl-aggregation.ts';
import { decodeRecord } from './record-codec.ts';

// A Kinesis endpoint for tests that sits in front of kinesalite and misbehaves on request:
// it fails chosen PutRecords entries as real Kinesis does under throttling (the entry is not
// written, the answer carries ErrorCode and FailedRecordCount), holds answers back, or refuses
// connections. It also records which user records the real engine accepted, so a test can check
// that no put resolved before its record was durable.

interface PutRecordsBody {
  StreamName: string;
  Records: Array<{ PartitionKey: string; Data: string; ExplicitHashKey?: string }>;
}

interface PutRecordsAnswer {
  FailedRecordCount: number;
  Records: Array<{ ShardId?: string; SequenceNumber?: string; ErrorCode?: string; ErrorMessage?: string }>;
}

export class KinesisFaultProxy extends EventEmitter {
  readonly #upstream: string;
  readonly #server: Server;
  #port = 0;
  #failNextRequests = 0;
  #held: Array<() => void> | undefined;
  /** Message ids of user records the engine behind the proxy has accepted. */
  readonly acceptedMessageIds = new Set<string>();
  failedEntries = 0;

  constructor(upstream: string) {
    super();
    this.#upstream = upstream;
    this.#server = createServer((request, response) => {
      void this.#handle(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'InternalFailure', message: String(error) }));
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    const address = this.#server.address();
    if (address !== null && typeof address === 'object') this.#port = address.port;
  }

  /** Stops listening and cuts open connections: clients get ECONNREFUSED or a reset until listen() again. */
  async refuseConnections(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  /** The next `requests` PutRecords calls fail every entry at an even index with ProvisionedThroughputExceededException. */
  failEntries(requests: number): void {
    this.#failNextRequests = requests;
  }

  /** Answers to PutRecords wait until release(); the records are written upstream meanwhile. */
  holdAnswers(): void {
    this.#held = [];
  }

  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const answer of held) answer();
  }

  async close(): Promise<void> {
    this.release();
    if (this.#server.listening) await this.refuseConnections();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const target = String(request.headers['x-amz-target'] ?? '');
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'x-amz-target', 'x-amz-date', 'authorization']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const forward = (payload: string) => fetch(this.#upstream, { method: 'POST', headers, body: payload });

    if (!target.endsWith('.PutRecords')) {
      const upstream = await forward(body);
      response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/x-amz-json-1.1' });
      response.end(await upstream.text());
      return;
    }

    const parsed = JSON.parse(body) as PutRecordsBody;
    const failing = this.#failNextRequests > 0;
    if (failing) this.#failNextRequests--;
    const kept = parsed.Records.filter((_entry, index) => !failing || index % 2 === 1);
    let upstreamAnswer: PutRecordsAnswer = { FailedRecordCount: 0, Records: [] };
    if (kept.length > 0) {
      const upstream = await forward(JSON.stringify({ ...parsed, Records: kept }));
      const text = await upstream.text();
      if (!upstream.ok) {
        response.writeHead(upstream.status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(text);
        return;
      }
      upstreamAnswer = JSON.parse(text) as PutRecordsAnswer;
      kept.forEach((entry, index) => {
        if (upstreamAnswer.Records[index]?.ErrorCode !== undefined) return;
        const userRecords = deaggregate({ PartitionKey: entry.PartitionKey, SequenceNumber: '0', Data: Buffer.from(entry.Data, 'base64') });
        for (const bytes of userRecords) this.acceptedMessageIds.add(decodeRecord(bytes).messageId);
      });
    }
    let next = 0;
    const answer: PutRecordsAnswer = {
      FailedRecordCount: 0,
      Records: parsed.Records.map((_entry, index) => {
        if (failing && index % 2 === 0) {
          this.failedEntries++;
          return { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard in the fault proxy' };
        }
        return upstreamAnswer.Records[next++] ?? { ErrorCode: 'InternalFailure', ErrorMessage: 'no upstream answer' };
      })
    };
    answer.FailedRecordCount = answer.Records.filter((entry) => entry.ErrorCode !== undefined).length;
    const send = (): void => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(answer));
    };
    this.emit('putRecords', answer);
    if (this.#held !== undefined) this.#held.push(send);
    else send();
  }
}
