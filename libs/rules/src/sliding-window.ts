import type { WindowAggregate } from '@plexus/contracts';

/**
 * The points of one device within the last `seconds`, for a threshold over a window. Bounded
 * twice: by time (older points fall out) and by `maxPoints` (past it the oldest fall out, so
 * the aggregate covers the latest `maxPoints` points of the window).
 */
export class SlidingWindow {
  private readonly spanMs: number;
  private readonly maxPoints: number;
  private readonly times: number[] = [];
  private readonly values: number[] = [];

  constructor(seconds: number, maxPoints: number) {
    this.spanMs = seconds * 1000;
    this.maxPoints = maxPoints;
  }

  /** Adds a point (times never decrease) and returns the aggregate of the window ending at it. */
  add(at: number, value: number, aggregate: WindowAggregate): number {
    this.times.push(at);
    this.values.push(value);
    let expired = 0;
    while (expired < this.times.length && (this.times[expired] as number) <= at - this.spanMs) expired++;
    expired = Math.max(expired, this.times.length - this.maxPoints);
    if (expired > 0) {
      this.times.splice(0, expired);
      this.values.splice(0, expired);
    }
    return this.aggregate(aggregate);
  }

  get size(): number {
    return this.values.length;
  }

  private aggregate(aggregate: WindowAggregate): number {
    switch (aggregate) {
      case 'count':
        return this.values.length;
      case 'min':
        return Math.min(...this.values);
      case 'max':
        return Math.max(...this.values);
      case 'avg':
        return this.values.reduce((sum, value) => sum + value, 0) / this.values.length;
    }
  }
}
