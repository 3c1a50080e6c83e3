import { describe, expect, it } from 'vitest';
import type { ArrivalPhase } from '../contracts/scenario.ts';
import { arrivalOffsets, phaseAt } from './arrival-plan.ts';

/** Each agent's devices as the controller would split a fleet: contiguous, the last one takes the rest. */
function split(devices: number, agents: number): number[] {
  const each = Math.floor(devices / agents);
  return Array.from({ length: agents }, (_, index) => (index === agents - 1 ? devices - each * (agents - 1) : each));
}

/** Every agent's offsets at its share, merged into the fleet's arrival times. */
function fleetOffsets(phases: readonly ArrivalPhase[], devices: number, agents: number): number[] {
  return split(devices, agents)
    .flatMap((own) => Array.from(arrivalOffsets(phases, own / devices, own)))
    .sort((a, b) => a - b);
}

function countBetween(offsets: readonly number[], fromMs: number, toMs: number): number {
  return offsets.filter((offset) => offset >= fromMs && offset < toMs).length;
}

describe('arrivalOffsets', () => {
  it('spaces one agent’s devices by the rate', () => {
    expect(Array.from(arrivalOffsets([{ name: 'ramp', durationMs: 1000, ratePerSec: 4 }], 1, 4))).toEqual([0, 250, 500, 750]);
  });

  it('spreads a phase total over its duration when there is no rate', () => {
    expect(Array.from(arrivalOffsets([{ name: 'all', durationMs: 1000, total: 5 }], 1, 5))).toEqual([0, 200, 400, 600, 800]);
  });

  it('lets N agents together follow the rate of every phase', () => {
    const phases = [
      { name: 'slow', durationMs: 10_000, ratePerSec: 100 },
      { name: 'fast', durationMs: 10_000, ratePerSec: 400 }
    ];
    const offsets = fleetOffsets(phases, 5000, 4);
    expect(offsets).toHaveLength(5000);
    for (let second = 0; second < 20; second++) {
      const expected = second < 10 ? 100 : 400;
      expect(countBetween(offsets, second * 1000, (second + 1) * 1000)).toBeGreaterThanOrEqual(expected - 4);
      expect(countBetween(offsets, second * 1000, (second + 1) * 1000)).toBeLessThanOrEqual(expected + 4);
    }
  });

  it('lets N agents together start a phase’s total, capped by its rate', () => {
    const phases = [
      { name: 'capped', durationMs: 10_000, ratePerSec: 100, total: 300 },
      { name: 'spread', durationMs: 5000, total: 600 }
    ];
    const offsets = fleetOffsets(phases, 900, 3);
    expect(countBetween(offsets, 0, 10_000)).toBe(300);
    expect(countBetween(offsets, 0, 3000)).toBe(300);
    expect(countBetween(offsets, 10_000, 15_000)).toBe(600);
  });

  it('keeps an uneven split within one device per agent of the plan, since each agent rounds its share', () => {
    const phases = [{ name: 'ramp', durationMs: 10_000, ratePerSec: 7 }];
    const offsets = fleetOffsets(phases, 1000, 3);
    expect(Math.abs(offsets.length - 70)).toBeLessThanOrEqual(3);
    expect(offsets.at(-1)).toBeLessThan(10_000);
  });

  it('does not start devices the phases leave over', () => {
    const phases = [{ name: 'short', durationMs: 2000, ratePerSec: 50 }];
    expect(arrivalOffsets(phases, 1, 500)).toHaveLength(100);
    expect(fleetOffsets(phases, 500, 5)).toHaveLength(100);
  });

  it('stops at the fleet even when the phases could start more', () => {
    const phases = [{ name: 'long', durationMs: 60_000, ratePerSec: 100 }];
    const offsets = arrivalOffsets(phases, 1, 50);
    expect(offsets).toHaveLength(50);
    expect(offsets[49]).toBe(490);
  });
});

describe('phaseAt', () => {
  const phases = [
    { name: 'ramp', durationMs: 1000, ratePerSec: 1 },
    { name: 'hold', durationMs: 500, total: 0 }
  ];

  it('names the phase an offset falls in, and done after the last', () => {
    expect(phaseAt(phases, 0)).toBe('ramp');
    expect(phaseAt(phases, 999)).toBe('ramp');
    expect(phaseAt(phases, 1000)).toBe('hold');
    expect(phaseAt(phases, 1500)).toBe('done');
  });
});
