import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { uniqueDatabaseName, within } from '@plexus/test-harness';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConsumerFixture, keyOf, recordOf } from './consumer-fixture.test-support.ts';
import { consumerKeys } from './consumer-keys.ts';

const fixture = new ConsumerFixture();
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await fixture.close();
});
afterAll(() => fixture.client.destroy());

const CONSUMER_PROCESS = fileURLToPath(new URL('./consumer-process.test-support.ts', import.meta.url));

function startConsumerProcess(streamName: string, sinkKey: string, workerId: string): ChildProcess {
  const child = spawn(process.execPath, [CONSUMER_PROCESS], {
    env: {
      ...process.env,
      REDIS_URL: fixture.redisUrl,
      KINESIS_ENDPOINT: fixture.kinesisEndpoint,
      STREAM_NAME: streamName,
      SINK_KEY: sinkKey,
      SINK_LATENCY_MS: '2',
      WORKER_ID: workerId
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  });
  children.push(child);
  return child;
}

/** Resolves once the child reports that the sink holds at least `stored` keys. */
function untilStored(child: ChildProcess, stored: number, ms: number): Promise<void> {
  return within(
    new Promise<void>((resolve, reject) => {
      child.on('message', (message: { stored?: number }) => {
        if ((message.stored ?? 0) >= stored) resolve();
      });
      child.once('exit', (code, signal) => reject(new Error(`consumer process exited (${signal ?? code}) before ${stored} records were stored`)));
    }),
    ms,
    `${stored} records stored`
  );
}

describe('StreamConsumer in a process killed with SIGKILL (integration: kinesalite + Redis)', () => {
  it('loses no record: a restarted consumer goes on from the checkpoints, and the idempotent sink holds each record once', async () => {
    const streamName = await fixture.stream(2);
    const records = Array.from({ length: 2_000 }, (_, index) => recordOf(index % 100, index));
    await fixture.produce(streamName, records);
    const sinkKey = uniqueDatabaseName('crash-sink');
    const redis = fixture.redis();

    const victim = startConsumerProcess(streamName, sinkKey, 'victim');
    await untilStored(victim, records.length / 4, 30_000);
    const exited = once(victim, 'exit');
    victim.kill('SIGKILL');
    expect(await exited).toEqual([null, 'SIGKILL']);
    const storedAtKill = await redis.hlen(sinkKey);
    expect(storedAtKill).toBeLessThan(records.length);

    const successor = startConsumerProcess(streamName, sinkKey, 'successor');
    await untilStored(successor, records.length, 30_000);

    const writes = await redis.hgetall(sinkKey);
    expect(Object.keys(writes).sort()).toEqual(records.map(keyOf).sort());
    const totalWrites = Object.values(writes).reduce((sum, count) => sum + Number(count), 0);
    // Re-deliveries are at most the batch in flight on each of the two shards at the kill (25
    // records each): they rewrite keys, never add any, and nothing before a checkpoint is read again.
    expect(totalWrites).toBeGreaterThanOrEqual(records.length);
    expect(totalWrites - records.length).toBeLessThanOrEqual(2 * 25);
    console.info(`crash test: ${storedAtKill} records stored at the kill, ${totalWrites - records.length} re-delivered`);

    const stopped = once(successor, 'exit');
    successor.kill('SIGTERM');
    expect(await stopped).toEqual([0, null]);
    const keys = consumerKeys(streamName, 'crash-test');
    expect(await redis.exists(keys.lease('shardId-000000000000'), keys.lease('shardId-000000000001'))).toBe(0);
    expect(await redis.hlen(keys.checkpoints)).toBe(2);
    await redis.del(sinkKey);
  });
});
