import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlexusError } from '@plexus/errors';
import { ensureKinesisStream, freePort, KinesisApiError, kinesisApiCall, kinesisPing, startKinesis, type EngineHandle } from './index.ts';

interface StreamSummary {
  StreamDescriptionSummary: { StreamStatus: string; OpenShardCount: number };
}

describe('startKinesis (integration: runs kinesalite)', () => {
  const dataRoot = mkdtempSync(join(tmpdir(), 'plexus-engines-kinesis-'));
  const dataDir = join(dataRoot, 'kinesis');
  let kinesis: EngineHandle;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    kinesis = await startKinesis({ port, dataDir });
  });

  afterAll(async () => {
    await kinesis?.stop();
    rmSync(dataRoot, { recursive: true, force: true });
  });

  it('answers the Kinesis API on the url it reports', async () => {
    expect(kinesis.url).toBe(`http://127.0.0.1:${port}`);
    await expect(kinesisPing(kinesis.url)).resolves.toBeUndefined();
  });

  it('creates a stream once, waits for ACTIVE, and leaves an existing one as it is', async () => {
    await ensureKinesisStream(kinesis.url, 'telemetry', 3);
    await ensureKinesisStream(kinesis.url, 'telemetry', 5);
    const summary = await kinesisApiCall<StreamSummary>(kinesis.url, 'DescribeStreamSummary', { StreamName: 'telemetry' });
    expect(summary.StreamDescriptionSummary).toMatchObject({ StreamStatus: 'ACTIVE', OpenShardCount: 3 });
  });

  it('reports API errors by their Kinesis type', async () => {
    const error = await kinesisApiCall(kinesis.url, 'DescribeStreamSummary', { StreamName: 'missing' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KinesisApiError);
    expect((error as KinesisApiError).type).toBe('ResourceNotFoundException');
  });

  it('refuses a port that is already taken, naming the variables that fix it', async () => {
    const error = await startKinesis({ port, dataDir: join(dataRoot, 'second') }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlexusError);
    expect((error as PlexusError).code).toBe('PLX_ENGINE_PORT_IN_USE');
    expect((error as PlexusError).message).toContain('KINESIS_PORT');
    expect((error as PlexusError).message).toContain('KINESIS_ENDPOINT');
  });

  it('keeps streams and records across a restart on the same data directory', async () => {
    const otherDir = join(dataRoot, 'restart');
    const otherPort = await freePort();
    const first = await startKinesis({ port: otherPort, dataDir: otherDir });
    await ensureKinesisStream(first.url, 'kept', 1);
    await kinesisApiCall(first.url, 'PutRecord', { StreamName: 'kept', PartitionKey: 'p', Data: Buffer.from('hello').toString('base64') });
    await first.stop();
    await expect(first.exited).resolves.toMatchObject({ code: 0 });

    const second = await startKinesis({ port: otherPort, dataDir: otherDir });
    try {
      const { ShardIterator } = await kinesisApiCall<{ ShardIterator: string }>(second.url, 'GetShardIterator', {
        StreamName: 'kept',
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON'
      });
      const { Records } = await kinesisApiCall<{ Records: Array<{ Data: string }> }>(second.url, 'GetRecords', { ShardIterator });
      expect(Records.map((record) => Buffer.from(record.Data, 'base64').toString())).toEqual(['hello']);
    } finally {
      await second.stop();
    }
  });

  it('fails with PLX_ENGINE_STREAM_NOT_ACTIVE when a stream does not become ACTIVE in time', async () => {
    const error = await ensureKinesisStream(kinesis.url, 'slow', 1, 0).catch((caught: unknown) => caught);
    expect((error as PlexusError).code).toBe('PLX_ENGINE_STREAM_NOT_ACTIVE');
  });
});
