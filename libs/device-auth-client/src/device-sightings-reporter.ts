import type { DeviceSighting } from '@plexus/contracts';

export interface DeviceSightingsReporterOptions {
  readonly controlPlaneUrl: string;
  readonly internalToken: string;
  readonly flushIntervalMs?: number;
  /**
   * A device reported less than this long ago is not reported again, so `lastSeen` trails the
   * latest sighting by at most this plus the flush interval. Every report is a write in the
   * registry: at one per message a publishing fleet's lastSeen cost more than its CONNECTs.
   */
  readonly resolutionMs?: number;
  /** Devices remembered between flushes; beyond it the oldest sightings are dropped (lastSeen is advisory). */
  readonly maxPending?: number;
  readonly now?: () => number;
  readonly onError?: (error: Error) => void;
}

const BATCH = 5000;

/**
 * Keeps the latest time each device was seen (connected or heard from) and reports them to the
 * control plane in batches, so `lastSeen` costs one map write per message, not a request.
 */
export class DeviceSightingsReporter {
  private readonly pending = new Map<string, DeviceSighting>();
  /** When each device's last report was sent, oldest first; only those within the resolution. */
  private readonly reported = new Map<string, number>();
  private readonly options: Required<Omit<DeviceSightingsReporterOptions, 'now' | 'onError'>>;
  private readonly now: () => number;
  private readonly onError: (error: Error) => void;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(options: DeviceSightingsReporterOptions) {
    this.options = { flushIntervalMs: 10_000, resolutionMs: 60_000, maxPending: 200_000, ...options };
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => {});
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  seen(tenantId: string, deviceId: string): void {
    const key = `${tenantId}/${deviceId}`;
    const at = this.now();
    // Called for every PUBLISH: a device already pending only moves its time forward, in place
    // (no new object, no re-insertion). The map empties at every flush, so "oldest" below means
    // first seen since the last flush, which is what the bound has to shed anyway.
    const pending = this.pending.get(key);
    if (pending !== undefined) {
      pending.at = at;
      return;
    }
    const reportedAt = this.reported.get(key);
    if (reportedAt !== undefined && at - reportedAt < this.options.resolutionMs) return;
    this.pending.set(key, { tenantId, deviceId, at });
    if (this.pending.size > this.options.maxPending) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Sends what is pending; a failed batch stays pending for the next flush. */
  flush(): Promise<void> {
    this.flushing ??= this.send().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async send(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = [...this.pending.values()].slice(0, BATCH);
      for (const sighting of batch) this.pending.delete(`${sighting.tenantId}/${sighting.deviceId}`);
      try {
        const response = await fetch(`${this.options.controlPlaneUrl}/internal/v1/device-sightings`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.options.internalToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ sightings: batch }),
          signal: AbortSignal.timeout(10_000)
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
        this.noteReported(batch);
      } catch (error) {
        for (const sighting of batch) {
          const key = `${sighting.tenantId}/${sighting.deviceId}`;
          if (!this.pending.has(key)) this.pending.set(key, sighting);
        }
        this.onError(error instanceof Error ? error : new Error(String(error)));
        return;
      }
    }
  }

  private noteReported(batch: readonly DeviceSighting[]): void {
    for (const { tenantId, deviceId, at } of batch) {
      const key = `${tenantId}/${deviceId}`;
      this.reported.delete(key);
      this.reported.set(key, at);
    }
    const horizon = this.now() - this.options.resolutionMs;
    for (const [key, at] of this.reported) {
      if (at > horizon && this.reported.size <= this.options.maxPending) break;
      this.reported.delete(key);
    }
  }
}
