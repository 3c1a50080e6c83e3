import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import { alertTopic, AlertDispatcher, AlertEngine, AlertStore, encodeAlertEvent, RedisRuleChanges, RuleCache, RuleStore, WebhookDelivery } from '@plexus/rules';
import { loadShardMap, partitionKeyOf, type ShardMap } from '@plexus/stream';
import type { StreamConsumer } from '@plexus/stream-consumer';
import type { TelemetryPoint } from '@plexus/telemetry-store';
import type { Logger } from '@plexus/observability';

export interface RulesRuntimeOptions {
  readonly db: Db;
  readonly redis: Redis;
  /** A connection of its own, for rule-change notifications. */
  readonly subscriber: Redis;
  readonly redisUrl: string;
  readonly publisher: { publish(tenantId: string, topic: string, payload: Buffer, qos?: 0 | 1 | 2): Promise<void> };
  readonly consumer: StreamConsumer | null;
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly absenceCheckMs: number;
  readonly log: Logger;
}

const SHARD_MAP_REFRESH_MS = 60_000;

/**
 * Rules wired for one data-plane process: rules cached and hot-reloaded, the engine fed with each
 * stored batch, absence checked on a timer for the devices of the shards this process reads,
 * alerts stored, published on `alerts/{ruleId}/{deviceId}` and POSTed to webhooks.
 */
export class RulesRuntime {
  readonly rules: RuleStore;
  readonly alerts: AlertStore;
  readonly engine: AlertEngine;
  readonly webhooks: WebhookDelivery;
  private readonly cache: RuleCache;
  private readonly dispatcher: AlertDispatcher;
  private readonly options: RulesRuntimeOptions;
  private shardMap: ShardMap | null = null;
  private timers: NodeJS.Timeout[] = [];

  constructor(options: RulesRuntimeOptions) {
    this.options = options;
    this.rules = new RuleStore({ db: options.db, changes: new RedisRuleChanges(options.redis) });
    this.alerts = new AlertStore(options.db);
    this.cache = new RuleCache({ reader: this.rules });
    const consumer = options.consumer;
    this.engine = new AlertEngine({
      rules: this.cache,
      startedAt: Date.now(),
      // With several stream workers, silence of a device is judged only by the one reading its shard.
      ownsDevice: (tenantId, deviceId) => consumer === null || this.shardMap === null || consumer.heldShards.includes(this.shardMap.shardFor(partitionKeyOf({ tenantId, deviceId })))
    });
    this.webhooks = new WebhookDelivery({
      redisUrl: options.redisUrl,
      onOutcome: (outcome) => {
        if (!outcome.delivered) options.log.warn({ outcome }, 'webhook delivery did not succeed');
      }
    });
    this.dispatcher = new AlertDispatcher({
      alerts: this.alerts,
      rules: this.cache,
      publisher: { publish: (event) => options.publisher.publish(event.alert.tenantId, alertTopic(event), encodeAlertEvent(event), 1) },
      webhooks: this.webhooks,
      onPublishFailure: (event, error) => options.log.warn({ err: error, alertId: event.alert.id }, 'alert could not be published over MQTT; it is stored')
    });
  }

  async start(): Promise<void> {
    const { log } = this.options;
    await this.alerts.ensureIndexes();
    await this.cache.start((error) => log.warn({ err: error }, 'rule reload failed'));
    await RedisRuleChanges.subscribe(this.options.subscriber, (tenantId) => void this.cache.reloadTenant(tenantId));
    this.engine.restoreOpenAlerts(await this.alerts.openAlerts());
    this.webhooks.startWorker();
    await this.refreshShardMap();
    this.timers.push(
      setInterval(() => void this.refreshShardMap(), SHARD_MAP_REFRESH_MS),
      setInterval(() => {
        this.dispatcher.dispatch(this.engine.checkAbsence(Date.now())).catch((error: unknown) => log.warn({ err: error }, 'absence check failed'));
      }, this.options.absenceCheckMs)
    );
    for (const timer of this.timers) timer.unref();
  }

  /** Evaluates a stored batch; resolves once its alerts are stored and queued (before the checkpoint). */
  async onPointsStored(points: readonly TelemetryPoint[]): Promise<void> {
    await this.dispatcher.dispatch(this.engine.evaluate(points));
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.cache.stop();
    await this.webhooks.close();
  }

  private async refreshShardMap(): Promise<void> {
    try {
      this.shardMap = await loadShardMap(this.options.kinesis, this.options.streamName);
    } catch (error) {
      this.options.log.warn({ err: error }, 'could not load the shard map; absence is judged for every device meanwhile');
    }
  }
}
