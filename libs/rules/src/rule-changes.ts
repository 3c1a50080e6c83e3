import type { Redis } from 'ioredis';

export const RULE_CHANGES_CHANNEL = 'plexus:rules:changed';

/** Told after a tenant's rules changed; RuleStore calls it after every write. */
export interface RuleChangePublisher {
  publish(tenantId: string): Promise<void>;
}

/** Change notifications between processes over Redis pub/sub; the message is the tenant id. */
export class RedisRuleChanges implements RuleChangePublisher {
  private readonly redis: Redis;

  constructor(redis: Redis) {
    this.redis = redis;
  }

  async publish(tenantId: string): Promise<void> {
    await this.redis.publish(RULE_CHANGES_CHANNEL, tenantId);
  }

  /**
   * Calls `onChange` with each changed tenant. `subscriber` becomes a subscriber connection
   * (Redis allows nothing else on it); close it to stop.
   */
  static async subscribe(subscriber: Redis, onChange: (tenantId: string) => void): Promise<void> {
    subscriber.on('message', (channel: string, tenantId: string) => {
      if (channel === RULE_CHANGES_CHANNEL) onChange(tenantId);
    });
    await subscriber.subscribe(RULE_CHANGES_CHANNEL);
  }
}
