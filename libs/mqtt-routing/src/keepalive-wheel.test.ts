import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeepaliveWheel } from './keepalive-wheel.ts';

// The clock is injected: every test passes the time it wants, nothing waits on real time.

describe('KeepaliveWheel', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never expires an item before its deadline, and within one slot width after it', () => {
    const width = 1000;
    const start = 1_764_000_000_123;
    const wheel = new KeepaliveWheel<number>({ slotWidthMs: width, slotCount: 64, nowMs: start });
    // Deadlines spread over several revolutions of the wheel (64 s), on and off slot boundaries.
    const deadlines = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      const deadline = start + 1 + ((i * 7919) % 200_000);
      deadlines.set(i, deadline);
      wheel.touch(i, deadline);
    }
    const expiredAt = new Map<number, number>();
    for (let now = start; now <= start + 202_000; now += 250) {
      for (const item of wheel.advance(now)) {
        expect(expiredAt.has(item)).toBe(false);
        expiredAt.set(item, now);
      }
    }
    expect(expiredAt.size).toBe(2000);
    expect(wheel.size).toBe(0);
    for (const [item, now] of expiredAt) {
      const deadline = deadlines.get(item) as number;
      expect(now).toBeGreaterThanOrEqual(deadline);
      // Advanced every 250 ms: the first advance at or past the slot boundary after the deadline.
      expect(now).toBeLessThan(deadline + width + 250);
    }
  });

  it('postpones an item that is touched again', () => {
    const wheel = new KeepaliveWheel<string>({ slotWidthMs: 1000, nowMs: 0 });
    wheel.touch('device', 5000);
    expect(wheel.advance(4000)).toEqual([]);
    wheel.touch('device', 9000);
    expect(wheel.advance(8000)).toEqual([]);
    expect(wheel.advance(9000)).toEqual(['device']);
    expect(wheel.advance(20_000)).toEqual([]);
  });

  it('can bring a deadline forward', () => {
    const wheel = new KeepaliveWheel<string>({ slotWidthMs: 1000, nowMs: 0 });
    wheel.touch('device', 60_000);
    wheel.touch('device', 3000);
    expect(wheel.advance(3000)).toEqual(['device']);
  });

  it('cancels an item that is removed', () => {
    const wheel = new KeepaliveWheel<string>({ slotWidthMs: 1000, nowMs: 0 });
    wheel.touch('a', 2000);
    wheel.touch('b', 2000);
    expect(wheel.remove('a')).toBe(true);
    expect(wheel.remove('a')).toBe(false);
    expect(wheel.has('a')).toBe(false);
    expect(wheel.advance(10_000)).toEqual(['b']);
  });

  it('expires a deadline already passed at the next slot boundary', () => {
    const wheel = new KeepaliveWheel<string>({ slotWidthMs: 1000, nowMs: 10_000 });
    expect(wheel.advance(15_500)).toEqual([]);
    wheel.touch('late', 12_000);
    expect(wheel.advance(15_900)).toEqual([]);
    expect(wheel.advance(16_000)).toEqual(['late']);
  });

  it('handles a clock jump of many revolutions in one advance', () => {
    const wheel = new KeepaliveWheel<number>({ slotWidthMs: 100, slotCount: 8, nowMs: 0 });
    for (let i = 0; i < 100; i++) wheel.touch(i, i * 100);
    wheel.touch(1000, 1_000_000);
    expect(wheel.advance(50_000)).toHaveLength(100);
    expect(wheel.advance(999_999)).toEqual([]);
    expect(wheel.advance(1_000_000)).toEqual([1000]);
  });

  it('touches and expires a million items, each exactly once', () => {
    const wheel = new KeepaliveWheel<number>({ slotWidthMs: 1000, nowMs: 0 });
    const count = 1_000_000;
    // Keepalives of 30–120 s, ×1.5 [MQTT-3.1.2-24], staggered connect times.
    for (let i = 0; i < count; i++) wheel.touch(i, (i % 1000) + 1.5 * 1000 * (30 + (i % 91)));
    // Half the fleet sends a packet and pushes its deadline out.
    for (let i = 0; i < count; i += 2) wheel.touch(i, 200_000 + (i % 1000));
    expect(wheel.size).toBe(count);
    let early = 0;
    for (let now = 0; now < 200_000; now += 1000) early += wheel.advance(now).length;
    expect(early).toBe(count / 2);
    expect(wheel.advance(201_000)).toHaveLength(count / 2);
    expect(wheel.size).toBe(0);
  });

  it('drives advance from one interval and stops', () => {
    vi.useFakeTimers();
    let clock = 0;
    const wheel = new KeepaliveWheel<string>({ slotWidthMs: 1000, nowMs: clock });
    const batches: string[][] = [];
    wheel.touch('a', 2500);
    wheel.touch('b', 4000);
    wheel.start(1000, () => clock, (items) => batches.push(items));
    for (let i = 0; i < 3; i++) {
      clock += 1000;
      vi.advanceTimersByTime(1000);
    }
    expect(batches).toEqual([['a']]);
    wheel.stop();
    clock += 5000;
    vi.advanceTimersByTime(5000);
    expect(batches).toEqual([['a']]);
    expect(wheel.advance(clock)).toEqual(['b']);
  });
});
