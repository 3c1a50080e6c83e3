import type { Redis } from 'ioredis';
import { REVOCATION_CHANNEL, type RevocationEvent } from '@plexus/contracts';

export interface RevocationPublisher {
  publish(event: RevocationEvent): Promise<void>;
}

/** Gateways subscribe to this channel and drop cached credentials and live sessions at once. */
export function redisRevocationPublisher(redis: Redis): RevocationPublisher {
  return {
    async publish(event) {
      await redis.publish(REVOCATION_CHANNEL, JSON.stringify(event));
    }
  };
}
