import { Redis } from 'ioredis';
import { retainedStoreContract, sessionStoreContract } from '@plexus/mqtt-gateway-core/test-support';
import { testEngines } from '@plexus/test-harness';
import { afterAll } from 'vitest';
import { RedisRetainedStore } from './redis-retained-store.ts';
import { RedisSessionStore } from './redis-session-store.ts';

const connections: Redis[] = [];
function connection(): Redis {
  const redis = new Redis(testEngines().redisUrl);
  connections.push(redis);
  return redis;
}
afterAll(() => {
  for (const redis of connections) redis.disconnect();
});

const namespace = `plexus:mqtt:test-${process.pid}`;
sessionStoreContract('Redis', () => new RedisSessionStore(connection(), namespace));
retainedStoreContract('Redis', () => new RedisRetainedStore(connection(), namespace));
