import { describe, expect, it } from 'vitest';
import { measurePhases } from './measure-phases.ts';
import type { TimelineSample } from './run-timeline.ts';

// Timelines made up sample by sample: 100 ms apart, each a step of a run of 1,000 connections.

const CONNECTIONS = 1000;
const KIB = 1024;

interface Step {
  connections: number;
  rssKib: number;
  cpuMs: number;
  readKib: number;
  brokerCpuMs?: number;
}

function timeline(steps: readonly Step[]): TimelineSample[] {
  return steps.map((step, index) => ({
    atMs: index * 100,
    clientCpuMs: step.cpuMs,
    clientRssBytes: step.rssKib * KIB,
    brokerCpuMs: step.brokerCpuMs ?? 0,
    brokerBytesRead: step.readKib * KIB,
    connections: step.connections
  }));
}

const idle = (count: number, step: Step): Step[] => Array.from({ length: count }, () => ({ ...step }));

function typicalRun(): Step[] {
  return [
    { connections: 0, rssKib: 90_000, cpuMs: 300, readKib: 0 },
    { connections: 0, rssKib: 100_000, cpuMs: 400, readKib: 0 },
    { connections: 400, rssKib: 101_000, cpuMs: 500, readKib: 40 },
    { connections: 1000, rssKib: 102_000, cpuMs: 600, readKib: 100 },
    ...idle(30, { connections: 1000, rssKib: 102_500, cpuMs: 610, readKib: 100 }),
    { connections: 1000, rssKib: 102_600, cpuMs: 620, readKib: 110, brokerCpuMs: 10 },
    { connections: 1000, rssKib: 103_000, cpuMs: 1200, readKib: 2000, brokerCpuMs: 300 },
    { connections: 500, rssKib: 103_000, cpuMs: 1500, readKib: 3000, brokerCpuMs: 500 },
    { connections: 0, rssKib: 103_000, cpuMs: 1620, readKib: 3001, brokerCpuMs: 510 },
    { connections: 0, rssKib: 103_000, cpuMs: 1700, readKib: 3001, brokerCpuMs: 510 }
  ];
}

describe('measurePhases', () => {
  it('takes the rest size before the first connection, the highest idle size, and the CPU from the last idle sample until every connection closed', () => {
    const measured = measurePhases('client', timeline(typicalRun()), CONNECTIONS, 3000);
    expect(measured.restRssBytes).toBe(100_000 * KIB);
    expect(measured.idleRssBytes).toBe(102_600 * KIB);
    expect(measured.bytesPerIdleConnection).toBeCloseTo((2600 * KIB) / CONNECTIONS);
    // Idle ends at the sample that read 110 KiB (within the allowance); the next one read 2000.
    expect(measured.publishCpuMs).toBe(1620 - 620);
    expect(measured.brokerPublishCpuMs).toBe(510 - 10);
    expect(measured.publishWallMs).toBe(300);
    expect(measured.idleWallMs).toBe(3100);
  });

  it('refuses a run where the whole fleet was never up at once, saying how many were', () => {
    const steps = typicalRun().map((step) => ({ ...step, connections: Math.min(step.connections, 990) }));
    expect(() => measurePhases('client', timeline(steps), CONNECTIONS, 3000)).toThrow(expect.objectContaining({ code: 'PLX_LOADTEST_BENCH_CLIENT_FAILED', message: expect.stringContaining('990 of 1000') }));
  });

  it('refuses a run that started publishing before it had been idle for the settle time', () => {
    expect(() => measurePhases('client', timeline(typicalRun()), CONNECTIONS, 5000)).toThrow(expect.objectContaining({ code: 'PLX_LOADTEST_BENCH_CLIENT_FAILED', message: expect.stringContaining('less than the 5000 ms') }));
  });

  it('refuses a run whose first sample already has connections, since it has no size at rest', () => {
    expect(() => measurePhases('client', timeline(typicalRun().slice(2)), CONNECTIONS, 3000)).toThrow(expect.objectContaining({ code: 'PLX_LOADTEST_BENCH_CLIENT_FAILED' }));
  });

  it('refuses a run whose connections were still open at the end', () => {
    expect(() => measurePhases('client', timeline(typicalRun().slice(0, -2)), CONNECTIONS, 3000)).toThrow(expect.objectContaining({ message: expect.stringContaining('still open') }));
  });
});
