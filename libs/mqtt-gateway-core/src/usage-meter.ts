import type { UsageEvent } from '@plexus/contracts';
import type { StreamProducer } from '@plexus/stream';
import type { MessageIds } from './message-ids.ts';

interface TenantUsage {
  /** Sessions of the tenant connected now. */
  live: number;
  connects: number;
  disconnects: number;
  /** Connected time within the interval, less what the `live` sessions will add at the flush. */
  connectedMs: number;
  messagesIn: number;
  bytesIn: number;
  messagesOut: number;
  bytesOut: number;
}

export interface UsageMeterOptions {
  readonly nodeId: string;
  readonly producer: StreamProducer;
  readonly messageIds: MessageIds;
  readonly now: () => number;
}

const encoder = new TextEncoder();

/**
 * Per-tenant usage of this gateway node, counted in memory (a few integer additions per event,
 * nothing per connection) and appended to the stream as one `usage` record per active tenant
 * and interval. Connected time needs no timer per session: each flush adds `live × interval`,
 * and a session that connects or ends inside the interval corrects its own share when it does.
 */
export class UsageMeter {
  private readonly options: UsageMeterOptions;
  private readonly tenants = new Map<string, TenantUsage>();
  private intervalStart: number;

  constructor(options: UsageMeterOptions) {
    this.options = options;
    this.intervalStart = options.now();
  }

  connected(tenantId: string): void {
    const usage = this.of(tenantId);
    usage.live++;
    usage.connects++;
    usage.connectedMs -= this.options.now() - this.intervalStart;
  }

  disconnected(tenantId: string): void {
    const usage = this.of(tenantId);
    usage.live--;
    usage.disconnects++;
    usage.connectedMs += this.options.now() - this.intervalStart;
  }

  published(tenantId: string, payloadBytes: number): void {
    const usage = this.of(tenantId);
    usage.messagesIn++;
    usage.bytesIn += payloadBytes;
  }

  delivered(tenantId: string, payloadBytes: number): void {
    const usage = this.of(tenantId);
    usage.messagesOut++;
    usage.bytesOut += payloadBytes;
  }

  /** The events of the interval ending now; counters start again from zero. */
  takeEvents(): UsageEvent[] {
    const to = this.options.now();
    const from = this.intervalStart;
    const events: UsageEvent[] = [];
    for (const [tenantId, usage] of this.tenants) {
      const connectedMs = usage.connectedMs + usage.live * (to - from);
      if (usage.connects + usage.disconnects + usage.messagesIn + usage.messagesOut > 0 || connectedMs > 0) {
        events.push({
          tenantId,
          nodeId: this.options.nodeId,
          from,
          to,
          connects: usage.connects,
          disconnects: usage.disconnects,
          connectedSeconds: connectedMs / 1000,
          messagesIn: usage.messagesIn,
          bytesIn: usage.bytesIn,
          messagesOut: usage.messagesOut,
          bytesOut: usage.bytesOut
        });
      }
      if (usage.live === 0) this.tenants.delete(tenantId);
      else Object.assign(usage, { connects: 0, disconnects: 0, connectedMs: 0, messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 });
    }
    this.intervalStart = to;
    return events;
  }

  /** Appends the interval's events to the stream; resolves once the stream has accepted them. */
  async flush(): Promise<number> {
    const events = this.takeEvents();
    await Promise.all(
      events.map((event) =>
        this.options.producer.put({
          tenantId: event.tenantId,
          // The reporting node stands in for the device: it keys the record and keeps one node's events in order.
          deviceId: this.options.nodeId,
          messageId: this.options.messageIds.next(),
          receivedAt: event.to,
          kind: 'usage',
          payload: encoder.encode(JSON.stringify(event))
        })
      )
    );
    return events.length;
  }

  private of(tenantId: string): TenantUsage {
    let usage = this.tenants.get(tenantId);
    if (!usage) {
      usage = { live: 0, connects: 0, disconnects: 0, connectedMs: 0, messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 };
      this.tenants.set(tenantId, usage);
    }
    return usage;
  }
}
