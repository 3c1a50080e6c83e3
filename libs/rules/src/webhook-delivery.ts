import { createHash } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { AlertEvent, RuleWebhookInput } from '@plexus/contracts';
import { attemptWebhook, type WebhookRequest } from './webhook-request.ts';
import { signWebhookBody } from './webhook-signature.ts';

// Webhooks go through BullMQ on Redis, the queue the platform already runs for rollouts: a
// pending delivery survives a restart of the process that queued it, any data-plane process
// may send it, a worker that dies mid-request has its job taken over (stalled-job recovery),
// and retries wait in Redis with exponential backoff instead of in this process's memory.

export interface WebhookJob extends WebhookRequest {
  tenantId: string;
  ruleId: string;
  alertId: string;
  kind: AlertEvent['kind'];
}

export interface WebhookOutcome {
  tenantId: string;
  ruleId: string;
  alertId: string;
  kind: AlertEvent['kind'];
  url: string;
  delivered: boolean;
  /** POSTs made; 0 when the delivery was refused because the queue was full. */
  attempts: number;
  error: string | null;
}

export interface WebhookDeliveryOptions {
  redisUrl: string;
  queueName?: string;
  /** POSTs per delivery at most, the first included. */
  maxAttempts?: number;
  /** Wait before the first retry; each next one waits twice as long. */
  backoffMs?: number;
  timeoutMs?: number;
  /** Deliveries waiting or in flight at most; past it new ones are refused and reported. */
  maxQueued?: number;
  /** Concurrent POSTs of this process's worker. */
  concurrency?: number;
  /** Failed deliveries kept in Redis for `failures()`. */
  keepFailed?: number;
  /** Each delivery's end: delivered, given up or refused. */
  onOutcome?: (outcome: WebhookOutcome) => void;
}

const DEFAULTS = { queueName: 'plexus-alert-webhooks', maxAttempts: 8, backoffMs: 1000, timeoutMs: 10_000, maxQueued: 10_000, concurrency: 16, keepFailed: 1000 };

export class WebhookDelivery {
  private readonly options: typeof DEFAULTS & WebhookDeliveryOptions;
  private readonly connection: Redis;
  private readonly queue: Queue<WebhookJob>;
  private worker: Worker<WebhookJob> | null = null;

  constructor(options: WebhookDeliveryOptions) {
    this.options = { ...DEFAULTS, ...options };
    // BullMQ blocks on its worker connection; ioredis must not give up on a command meanwhile.
    this.connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    this.queue = new Queue<WebhookJob>(this.options.queueName, { connection: this.connection });
  }

  /**
   * Queues the POST of one event. The body is signed now, so the secret never lands in Redis.
   * Queuing the same event again while it is pending adds nothing. Returns false when the queue
   * is full; that delivery is reported to `onOutcome` as not delivered.
   */
  async enqueue(webhook: RuleWebhookInput, event: AlertEvent): Promise<boolean> {
    const body = JSON.stringify(event);
    const { tenantId, ruleId, id: alertId } = event.alert;
    const deliveryId = createHash('sha256').update(`${tenantId}/${alertId}/${event.kind}`).digest('hex').slice(0, 32);
    const job: WebhookJob = {
      tenantId,
      ruleId,
      alertId,
      kind: event.kind,
      url: webhook.url,
      body,
      signature: webhook.secret === undefined ? null : signWebhookBody(webhook.secret, body),
      deliveryId
    };
    if ((await this.depth()) >= this.options.maxQueued) {
      this.report(job, false, 0, `queue full (${this.options.maxQueued} deliveries pending)`);
      return false;
    }
    await this.queue.add('alert', job, {
      jobId: deliveryId,
      attempts: this.options.maxAttempts,
      backoff: { type: 'exponential', delay: this.options.backoffMs },
      removeOnComplete: true,
      removeOnFail: { count: this.options.keepFailed }
    });
    return true;
  }

  /** Starts sending queued deliveries from this process. */
  startWorker(): void {
    if (this.worker) return;
    const { timeoutMs } = this.options;
    this.worker = new Worker<WebhookJob>(
      this.options.queueName,
      async (job: Job<WebhookJob>) => {
        const result = await attemptWebhook(job.data, timeoutMs);
        if (result.ok) return result.status;
        throw result.retry ? new Error(result.error) : new UnrecoverableError(result.error);
      },
      { connection: this.connection, concurrency: this.options.concurrency }
    );
    this.worker.on('completed', (job) => this.report(job.data, true, job.attemptsMade, null));
    this.worker.on('failed', (job, error) => {
      // Fired after every failed attempt; `finishedOn` is set only when no retry follows.
      if (job?.finishedOn !== undefined) this.report(job.data, false, job.attemptsMade, error.message);
    });
  }

  /** Deliveries waiting, waiting for a retry, or in flight. */
  async depth(): Promise<number> {
    return this.queue.getJobCountByTypes('wait', 'delayed', 'prioritized', 'active');
  }

  /** The latest deliveries that were given up, newest first. */
  async failures(limit = 100): Promise<WebhookOutcome[]> {
    const jobs = await this.queue.getFailed(0, limit - 1);
    return jobs.map((job) => outcome(job.data, false, job.attemptsMade, job.failedReason ?? null));
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    this.connection.disconnect();
  }

  private report(job: WebhookJob, delivered: boolean, attempts: number, error: string | null): void {
    this.options.onOutcome?.(outcome(job, delivered, attempts, error));
  }
}

function outcome(job: WebhookJob, delivered: boolean, attempts: number, error: string | null): WebhookOutcome {
  return { tenantId: job.tenantId, ruleId: job.ruleId, alertId: job.alertId, kind: job.kind, url: job.url, delivered, attempts, error };
}
