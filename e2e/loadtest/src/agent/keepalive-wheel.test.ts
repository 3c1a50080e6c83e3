import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeepaliveWheel, notInWheel, type KeepaliveMember } from './keepalive-wheel.ts';

// Scheduling logic only: members are plain objects that count their pings, the clock is a
// variable the test moves, and ticks are called by hand (a late tick is a jump of the clock).

function member(keepaliveMs: number, lastSentAt = 0): KeepaliveMember & { pings: number[] } {
  return {
    keepaliveMs,
    lastSentAt,
    wheelSlot: notInWheel,
    wheelNext: null,
    wheelPrev: null,
    pings: [] as number[],
    ping(now: number) {
      this.pings.push(now);
      this.lastSentAt = now;
    }
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('KeepaliveWheel', () => {
  it('pings a member one tick before its Keep Alive has passed since it last sent', () => {
    const wheel = new KeepaliveWheel({ tickMs: 1000, now: () => 0 });
    const device = member(10_000);
    wheel.add(device);
    for (let now = 1000; now <= 30_000; now += 1000) wheel.tick(now);
    expect(device.pings).toEqual([9000, 18_000, 27_000]);
  });

  it('does not ping a member that sent something else meanwhile, and pings it by its own last send', () => {
    const wheel = new KeepaliveWheel({ tickMs: 1000, now: () => 0 });
    const device = member(10_000);
    wheel.add(device);
    for (let now = 1000; now <= 20_000; now += 1000) {
      if (now === 5000) device.lastSentAt = 5000; // a publish
      wheel.tick(now);
    }
    expect(device.pings).toEqual([14_000]);
  });

  it('sends every overdue ping at once when a tick fires late, skipping none', () => {
    const wheel = new KeepaliveWheel({ tickMs: 1000, now: () => 0 });
    const devices = Array.from({ length: 1000 }, (_, index) => member(5000 + (index % 50) * 1000, 0));
    for (const device of devices) wheel.add(device);
    wheel.tick(1000);
    // The event loop stalls for two minutes: the next tick sees every slot it missed.
    wheel.tick(121_000);
    expect(devices.every((device) => device.pings.length === 1 && device.pings[0] === 121_000)).toBe(true);
    expect(wheel.pingsSent).toBe(1000);
    // And afterwards each is rescheduled from that ping, not from the missed due time.
    wheel.tick(125_000);
    expect(devices.filter((device) => device.pings.length === 2).length).toBe(20); // keepalive 5 s: due at 125 s
  });

  it('handles a Keep Alive longer than a turn of the wheel by putting the member back until due', () => {
    const wheel = new KeepaliveWheel({ tickMs: 1000, slots: 8, now: () => 0 });
    const device = member(60_000);
    wheel.add(device);
    for (let now = 1000; now <= 120_000; now += 1000) wheel.tick(now);
    expect(device.pings).toEqual([59_000, 118_000]);
  });

  it('keeps a member once however often it is added, runs one timer for all, and forgets removed ones', () => {
    const setInterval = vi.spyOn(globalThis, 'setInterval');
    const setTimeout = vi.spyOn(globalThis, 'setTimeout');
    const wheel = new KeepaliveWheel({ tickMs: 1000, now: () => 0 });
    const devices = Array.from({ length: 100 }, () => member(10_000));
    for (const device of devices) {
      wheel.add(device);
      wheel.add(device);
    }
    wheel.start();
    wheel.start();
    wheel.stop();
    expect(setInterval).toHaveBeenCalledTimes(1);
    expect(setTimeout).not.toHaveBeenCalled();
    expect(wheel.size).toBe(100);
    for (const device of devices.slice(0, 50)) wheel.remove(device);
    expect(wheel.size).toBe(50);
    for (let now = 1000; now <= 10_000; now += 1000) wheel.tick(now);
    expect(devices.slice(0, 50).every((device) => device.pings.length === 0)).toBe(true);
    expect(devices.slice(50).every((device) => device.pings.length === 1)).toBe(true);
  });

  it('leaves members with Keep Alive 0 out', () => {
    const wheel = new KeepaliveWheel({ tickMs: 1000, now: () => 0 });
    const device = member(0);
    wheel.add(device);
    wheel.tick(100_000);
    expect(wheel.size).toBe(0);
    expect(device.pings).toEqual([]);
  });
});
