import { describe, expect, it } from 'vitest';
import { deviceIdFor, tenantIdForRun } from './fleet-provisioning.ts';

describe('tenantIdForRun', () => {
  it('makes a tenant slug of the run id', () => {
    expect(tenantIdForRun('20261126-154500-Smoke_Run')).toBe('lt-20261126-154500-smoke-run');
    const long = tenantIdForRun(`x${'-'.repeat(10)}${'y'.repeat(80)}`);
    expect(long).toMatch(/^[a-z0-9][a-z0-9-]{1,62}$/);
    expect(long.endsWith('-')).toBe(false);
  });
});

describe('deviceIdFor', () => {
  it('pads to the width of the largest index, at least seven digits, so ids sort as numbers', () => {
    expect(deviceIdFor(0, 10)).toBe('d0000000');
    expect(deviceIdFor(999_999, 1_000_000)).toBe('d0999999');
    expect(deviceIdFor(42, 20_000_000)).toBe('d00000042');
  });
});
