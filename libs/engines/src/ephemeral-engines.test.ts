import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ensureEphemeralEngines, kinesisPing, mongoWirePing, redisPing } from './index.ts';

describe('ensureEphemeralEngines', () => {
  it('starts every engine on free ports and removes everything at stop', async () => {
    const engines = await ensureEphemeralEngines({});
    try {
      expect(engines.started.map((engine) => engine.name)).toHaveLength(3);
      const redis = new URL(engines.redisUrl);
      const mongo = new URL(engines.mongoUri);
      await redisPing(redis.hostname, Number(redis.port));
      await mongoWirePing(mongo.hostname, Number(mongo.port));
      await kinesisPing(engines.kinesisEndpoint);
    } finally {
      await engines.stop();
    }
    for (const engine of engines.started) await expect(engine.exited).resolves.toBeDefined();
    expect(existsSync(engines.scratchDir as string)).toBe(false);
  });

  it('starts nothing for a server the environment already names', async () => {
    const engines = await ensureEphemeralEngines({
      MONGODB_URI: 'mongodb://db.example:27017/',
      REDIS_URL: 'redis://cache.example:6379',
      KINESIS_ENDPOINT: 'https://kinesis.example.com'
    });
    expect(engines.started).toEqual([]);
    expect(engines.scratchDir).toBeUndefined();
    expect(engines.mongoUri).toBe('mongodb://db.example:27017/');
    expect(engines.redisUrl).toBe('redis://cache.example:6379');
    expect(engines.kinesisEndpoint).toBe('https://kinesis.example.com');
    await engines.stop();
  });

  it('starts only the missing engine', async () => {
    const engines = await ensureEphemeralEngines({
      MONGODB_URI: 'mongodb://db.example:27017/',
      KINESIS_ENDPOINT: 'https://kinesis.example.com'
    });
    try {
      expect(engines.started.map((engine) => engine.name)).toEqual(['redis']);
    } finally {
      await engines.stop();
    }
  });
});
