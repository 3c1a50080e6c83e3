import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { listAllShards } from '@plexus/stream';
import type { Redis } from 'ioredis';
import { CheckpointStore, type Checkpoint } from './checkpoint-store.ts';
import type { ConsumedRecord, LeasedShard, RecordOrigin } from './consumed-record.ts';
import { consumerKeys } from './consumer-keys.ts';
import { emptyCounters, type ConsumerStats, type ShardProgress } from './consumer-stats.ts';
import { consumerErrors } from './errors.ts';
import { leasableShards, planLeases } from './lease-plan.ts';
import { ShardLeases } from './shard-leases.ts';
import { ShardReader, type ReadSettings, type ShardOutcome } from './shard-reader.ts';
import { WorkerRegistry } from './worker-registry.ts';

/** The subset of a pino logger the consumer writes to. */
export interface ConsumerLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface StreamConsumerOptions extends Partial<ReadSettings> {
  readonly client: KinesisClient;
  readonly streamName: string;
  /**
   * Namespaces leases and checkpoints: consumers with different applications each read the
   * whole stream (the data plane and the ops plane), those with the same one share it.
   */
  readonly application: string;
  /** Holds leases, checkpoints and the worker registry; the caller opens and closes it. */
  readonly redis: Redis;
  /** Unique among the application's workers; defaults to host-pid-random. */
  readonly workerId?: string;
  /** A lease not renewed for this long is free for another worker. */
  readonly leaseDurationMs?: number;
  /** How often leases and this worker's heartbeat are renewed; well under the lease duration. */
  readonly renewIntervalMs?: number;
  /** How often the worker looks for shards to take (new shards, dead workers, a fairer share). */
  readonly rebalanceIntervalMs?: number;
  /**
   * Writes the batch; it must be idempotent, since after a crash or a lost lease a batch is
   * delivered again. The checkpoint moves past the batch only once this resolves; a rejection
   * is retried, never skipped.
   */
  processBatch(records: ConsumedRecord[], shard: LeasedShard): Promise<void>;
  /** Dead-letters bytes that are not a stream record; the shard goes on after it resolves. */
  onUndecodable(raw: Uint8Array, reason: string, origin: RecordOrigin): Promise<void>;
  readonly logger?: ConsumerLogger;
}

export interface ConsumerEvents {
  /** `from` is the worker the lease was stolen from, null for a free lease. */
  leaseTaken: [shardId: string, from: string | null];
  leaseLost: [shardId: string];
  leaseReleased: [shardId: string];
  checkpointed: [shardId: string, checkpoint: Checkpoint];
  shardEnded: [shardId: string];
  failure: [error: unknown, context: { shardId?: string; during: 'read' | 'batch' | 'lease' | 'rebalance' }];
}

const DEFAULTS = {
  leaseDurationMs: 10_000,
  renewIntervalMs: 3_000,
  maxRecordsPerRead: 1_000,
  maxBatchRecords: 1_000,
  idlePollMs: 1_000,
  retryBaseMs: 200,
  retryMaxMs: 10_000
} as const;

// GetRecords returns at most 10,000 records per call.
const KINESIS_MAX_RECORDS_PER_READ = 10_000;

const SILENT: ConsumerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface HeldShard {
  /** When the last successful take or renewal was sent; the lease runs at least until then plus its duration. */
  renewedAt: number;
  readonly lost: AbortController;
  readonly stop: AbortController;
  readonly progress: ShardProgress;
}

/**
 * Reads every shard of a Kinesis stream, sharing the shards with the application's other
 * workers (any number of processes and hosts) through leases in Redis, and checkpointing each
 * batch once `processBatch` has written it. One per process.
 */
export class StreamConsumer extends EventEmitter<ConsumerEvents> {
  readonly workerId: string;
  readonly #options: StreamConsumerOptions;
  readonly #settings: ReadSettings;
  readonly #leaseDurationMs: number;
  readonly #renewIntervalMs: number;
  readonly #rebalanceIntervalMs: number;
  readonly #logger: ConsumerLogger;
  readonly #leases: ShardLeases;
  readonly #checkpoints: CheckpointStore;
  readonly #registry: WorkerRegistry;
  readonly #counters = emptyCounters();
  readonly #held = new Map<string, HeldShard>();
  /** Every reader still running, those of lost leases included, whose batch in flight a stop waits for. */
  readonly #running = new Set<Promise<void>>();
  #liveWorkers = new Set<string>();
  #started = false;
  #stopping = false;
  #renewalStopped = false;
  #renewTimer: NodeJS.Timeout | undefined;
  #rebalanceTimer: NodeJS.Timeout | undefined;
  #rebalancing: Promise<void> = Promise.resolve();
  #renewing: Promise<void> = Promise.resolve();

  constructor(options: StreamConsumerOptions) {
    super();
    this.#options = options;
    this.workerId = options.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.#leaseDurationMs = options.leaseDurationMs ?? DEFAULTS.leaseDurationMs;
    this.#renewIntervalMs = options.renewIntervalMs ?? Math.min(DEFAULTS.renewIntervalMs, Math.floor(this.#leaseDurationMs / 3));
    this.#rebalanceIntervalMs = options.rebalanceIntervalMs ?? this.#renewIntervalMs;
    this.#settings = {
      maxRecordsPerRead: options.maxRecordsPerRead ?? DEFAULTS.maxRecordsPerRead,
      maxBatchRecords: options.maxBatchRecords ?? DEFAULTS.maxBatchRecords,
      idlePollMs: options.idlePollMs ?? DEFAULTS.idlePollMs,
      retryBaseMs: options.retryBaseMs ?? DEFAULTS.retryBaseMs,
      retryMaxMs: options.retryMaxMs ?? DEFAULTS.retryMaxMs
    };
    this.#checkOptions();
    this.#logger = options.logger ?? SILENT;
    const keys = consumerKeys(options.streamName, options.application);
    this.#leases = new ShardLeases(options.redis, keys, this.workerId, this.#leaseDurationMs);
    this.#checkpoints = new CheckpointStore(options.redis, keys);
    this.#registry = new WorkerRegistry(options.redis, keys, this.workerId, this.#leaseDurationMs);
  }

  /** Joins the application's workers and takes this worker's share of the shards. */
  async start(): Promise<void> {
    if (this.#started) throw consumerErrors.alreadyStarted();
    this.#started = true;
    this.#liveWorkers = await this.#registry.beat();
    this.#scheduleRenewal();
    this.#rebalancing = this.#rebalance();
    await this.#rebalancing;
    this.#scheduleRebalance();
  }

  /**
   * Stops taking shards and reading, lets each batch in flight finish and be checkpointed, then
   * releases the leases so other workers take the shards at once.
   */
  async stop(): Promise<void> {
    if (!this.#started || this.#stopping) return;
    this.#stopping = true;
    clearTimeout(this.#rebalanceTimer);
    await this.#rebalancing;
    for (const held of this.#held.values()) held.stop.abort();
    // Leases keep being renewed while the last batches finish.
    await Promise.all(this.#running);
    this.#renewalStopped = true;
    clearTimeout(this.#renewTimer);
    await this.#renewing;
    try {
      await this.#registry.leave();
    } catch (error) {
      // The heartbeat expires on its own; others only count this worker a little longer.
      this.#fail(error, { during: 'lease' });
    }
  }

  /** Counters since start and the progress of each shard held now. */
  stats(): ConsumerStats {
    return {
      workerId: this.workerId,
      counters: { ...this.#counters },
      shards: [...this.#held.values()].map((held) => ({ ...held.progress }))
    };
  }

  /** The shards this worker holds leases on now. */
  get heldShards(): string[] {
    return [...this.#held.keys()];
  }

  #checkOptions(): void {
    const positive = { leaseDurationMs: this.#leaseDurationMs, renewIntervalMs: this.#renewIntervalMs, rebalanceIntervalMs: this.#rebalanceIntervalMs, ...this.#settings };
    for (const [name, value] of Object.entries(positive)) {
      if (!Number.isSafeInteger(value) || value <= 0) throw consumerErrors.invalidOption(name, `${value} is not a positive integer`);
    }
    if (this.#renewIntervalMs * 2 > this.#leaseDurationMs) {
      throw consumerErrors.invalidOption('renewIntervalMs', `${this.#renewIntervalMs} ms leaves no room for a missed renewal in a ${this.#leaseDurationMs} ms lease`);
    }
    if (this.#settings.maxRecordsPerRead > KINESIS_MAX_RECORDS_PER_READ) {
      throw consumerErrors.invalidOption('maxRecordsPerRead', `Kinesis returns at most ${KINESIS_MAX_RECORDS_PER_READ} records per read`);
    }
    if (this.#options.application === '') throw consumerErrors.invalidOption('application', 'empty');
  }

  #scheduleRenewal(): void {
    this.#renewTimer = setTimeout(() => {
      this.#renewing = this.#renew().finally(() => {
        if (!this.#renewalStopped) this.#scheduleRenewal();
      });
    }, this.#renewIntervalMs);
  }

  #scheduleRebalance(): void {
    if (this.#stopping) return;
    this.#rebalanceTimer = setTimeout(() => {
      this.#rebalancing = this.#rebalance().finally(() => this.#scheduleRebalance());
    }, this.#rebalanceIntervalMs);
  }

  /** Renews this worker's heartbeat and leases; a lease that cannot be renewed is lost and its reader stops at once. */
  async #renew(): Promise<void> {
    try {
      this.#liveWorkers = await this.#registry.beat();
    } catch (error) {
      this.#fail(error, { during: 'lease' });
    }
    await Promise.all(
      [...this.#held].map(async ([shardId, held]) => {
        const sentAt = Date.now();
        try {
          if (await this.#leases.renew(shardId)) held.renewedAt = sentAt;
          else this.#lose(shardId);
        } catch (error) {
          this.#fail(error, { shardId, during: 'lease' });
          // Unreachable Redis cannot say who holds the lease; once it may have expired, another
          // worker may be reading the shard, so this one stops as if it had lost it.
          if (Date.now() - held.renewedAt >= this.#leaseDurationMs) this.#lose(shardId);
        }
      })
    );
  }

  async #rebalance(): Promise<void> {
    if (this.#stopping) return;
    try {
      const [shards, checkpoints] = await Promise.all([listAllShards(this.#options.client, this.#options.streamName), this.#checkpoints.all()]);
      const leasable = leasableShards(shards, checkpoints);
      const owners = await this.#leases.owners(leasable);
      const plan = planLeases({ workerId: this.workerId, leasable, owners, liveWorkers: this.#liveWorkers });
      // A shard still held here whose lease says otherwise is being lost: its reader stops at
      // the next renewal, and only then may the shard be taken again.
      for (const shardId of plan.take) {
        if (this.#stopping) return;
        const takenAt = Date.now();
        if (!this.#held.has(shardId) && (await this.#leases.take(shardId))) this.#startReading(shardId, null, takenAt);
      }
      for (const { shardId, from } of plan.steal) {
        if (this.#stopping) return;
        const takenAt = Date.now();
        if (!this.#held.has(shardId) && (await this.#leases.steal(shardId, from))) this.#startReading(shardId, from, takenAt);
      }
    } catch (error) {
      this.#fail(error, { during: 'rebalance' });
    }
  }

  #startReading(shardId: string, stolenFrom: string | null, takenAt: number): void {
    if (stolenFrom === null) this.#counters.leaseTakes++;
    else this.#counters.leaseSteals++;
    const held: HeldShard = {
      renewedAt: takenAt,
      lost: new AbortController(),
      stop: new AbortController(),
      progress: { shardId, millisBehindLatest: 0, kinesisRecordsInLastRead: 0, userRecordsInLastRead: 0, lastReadAt: 0, checkpoint: null }
    };
    this.#held.set(shardId, held);
    this.#logger.info({ shardId, stolenFrom, workerId: this.workerId }, 'shard lease taken');
    this.emit('leaseTaken', shardId, stolenFrom);
    const reader = new ShardReader({
      client: this.#options.client,
      streamName: this.#options.streamName,
      shardId,
      workerId: this.workerId,
      checkpoints: this.#checkpoints,
      settings: this.#settings,
      handlers: { processBatch: this.#options.processBatch, onUndecodable: this.#options.onUndecodable },
      counters: this.#counters,
      progress: held.progress,
      lost: held.lost.signal,
      stop: held.stop.signal,
      onCheckpoint: (checkpoint) => this.emit('checkpointed', shardId, checkpoint),
      onFailure: (error, during) => this.#fail(error, { shardId, during })
    });
    const running = reader.run().then(
      (outcome) => this.#finish(shardId, held, outcome),
      (error: unknown) => {
        this.#fail(error, { shardId, during: 'read' });
        return this.#finish(shardId, held, 'stopped');
      }
    );
    this.#running.add(running);
    void running.finally(() => this.#running.delete(running));
  }

  async #finish(shardId: string, held: HeldShard, outcome: ShardOutcome): Promise<void> {
    // After a loss this worker may hold the shard again, under a newer lease and reader.
    if (this.#held.get(shardId) !== held) return;
    if (outcome === 'lost') {
      this.#lose(shardId);
      return;
    }
    this.#held.delete(shardId);
    try {
      await this.#leases.release(shardId);
      this.emit('leaseReleased', shardId);
    } catch (error) {
      this.#fail(error, { shardId, during: 'lease' });
    }
    if (outcome === 'ended') {
      this.#counters.shardsEnded++;
      this.#logger.info({ shardId, workerId: this.workerId }, 'shard processed to its end');
      this.emit('shardEnded', shardId);
      // Its children may be leasable now; waiting for the next round would only add latency.
      if (!this.#stopping) this.#rebalancing = this.#rebalancing.then(() => this.#rebalance());
    }
  }

  #lose(shardId: string): void {
    const held = this.#held.get(shardId);
    if (held === undefined) return;
    this.#held.delete(shardId);
    held.lost.abort();
    this.#counters.leaseLosses++;
    this.#logger.warn({ shardId, workerId: this.workerId }, 'shard lease lost; reading stopped');
    this.emit('leaseLost', shardId);
  }

  #fail(error: unknown, context: ConsumerEvents['failure'][1]): void {
    this.#logger.error({ err: error, ...context, workerId: this.workerId }, `stream consumer ${context.during} failed`);
    if (this.listenerCount('failure') > 0) this.emit('failure', error, context);
  }
}
