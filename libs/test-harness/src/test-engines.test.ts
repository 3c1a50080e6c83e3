import { spawnSync } from 'node:child_process';
import { kinesisPing, mongoWirePing, redisPing } from '@plexus/engines';
import { describe, expect, it } from 'vitest';
import { testEngines, uniqueDatabaseName } from './index.ts';

describe('testEngines', () => {
  it('hands tests the URLs of engines that answer', async () => {
    const { mongoUri, redisUrl, kinesisEndpoint } = testEngines();
    const mongo = new URL(mongoUri);
    const redis = new URL(redisUrl);
    await expect(mongoWirePing(mongo.hostname, Number(mongo.port))).resolves.toBeUndefined();
    await expect(redisPing(redis.hostname, Number(redis.port))).resolves.toBeUndefined();
    await expect(kinesisPing(kinesisEndpoint)).resolves.toBeUndefined();
  });

  it('passes the same URLs to child processes through the environment', () => {
    const child = spawnSync(
      process.execPath,
      ['-p', 'process.env.MONGODB_URI + " " + process.env.REDIS_URL + " " + process.env.KINESIS_ENDPOINT'],
      { encoding: 'utf8' }
    );
    const { mongoUri, redisUrl, kinesisEndpoint } = testEngines();
    expect(child.stdout.trim()).toBe(`${mongoUri} ${redisUrl} ${kinesisEndpoint}`);
  });
});

describe('uniqueDatabaseName', () => {
  it('differs on every call and keeps the prefix readable', () => {
    const first = uniqueDatabaseName('registry');
    expect(first).toMatch(/^registry_[0-9a-f]{8}$/);
    expect(uniqueDatabaseName('registry')).not.toBe(first);
  });

  it('yields a name FerretDB and MongoDB both accept, whatever the prefix', () => {
    expect(uniqueDatabaseName('libs/registry.devices test')).toMatch(/^libs_registry_devices_test_[0-9a-f]{8}$/);
    expect(uniqueDatabaseName('x'.repeat(100))).toHaveLength(63);
    expect(uniqueDatabaseName('')).toMatch(/^test_[0-9a-f]{8}$/);
  });
});
