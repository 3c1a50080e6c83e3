import { describe, expect, it } from 'vitest';
import type { Report } from '../contracts/report.ts';
import { NO_LATENCY } from './latency-summary.ts';
import { judge } from './report-builder.ts';
import { unitScenario } from './unit-fixtures.ts';

const scenario = unitScenario(100, 0.05);
const report: Report = {
  runId: 'unit-1',
  scenario: 'unit',
  passed: true,
  failures: [],
  startedAt: new Date(0).toISOString(),
  durationSec: 1,
  devices: 100,
  peakConnected: 100,
  connectRatePerSec: 100,
  publishesSent: 500,
  acked: 500,
  stored: 500,
  lost: 0,
  lostDevices: [],
  publishRatePerSec: 500,
  ackLatencyMs: NO_LATENCY,
  endToEndLatencyMs: NO_LATENCY,
  errors: {},
  agents: [],
  platform: [],
  target: { controlPlane: '', dataPlane: '', mqtt: '', startedByRun: false },
  unsupported: [],
  series: []
};

describe('judge', () => {
  it('passes a run within its thresholds, errors included up to the allowed ratio', () => {
    expect(judge(report, scenario)).toMatchObject({ passed: true, failures: [] });
    expect(judge({ ...report, errors: { connect_timeout: 5 } }, scenario).passed).toBe(true);
  });

  it('fails on one lost acknowledged message, on errors over the ratio, and on runs that did nothing', () => {
    const lost = judge({ ...report, stored: 499, lost: 1 }, scenario);
    expect(lost.passed).toBe(false);
    expect(lost.failures[0]).toMatch(/1 acknowledged messages are missing/);
    expect(judge({ ...report, errors: { connect_timeout: 4, closed_by_server: 2 } }, scenario).failures[0]).toMatch(/6 errors for 100 devices/);
    expect(judge({ ...report, acked: 0 }, scenario).failures).toContain('no publish was acknowledged');
    expect(judge({ ...report, peakConnected: 0 }, scenario).failures).toContain('no device connected');
  });

  it('fails a run that was interrupted or ran out of time, whatever its error ratio allows', () => {
    expect(judge({ ...report, errors: { interrupted: 1 } }, scenario).failures).toEqual(['the run was interrupted before its sessions ended']);
    expect(judge({ ...report, errors: { timeout: 1 } }, scenario).failures).toEqual(["the sessions had not ended by the scenario's maxDuration (10 s)"]);
    expect(judge({ ...report, errors: { agent_lost: 1 } }, scenario).failures).toEqual(['1 agents ended without sending their counts: loss was not checked for their devices']);
  });
});
