import { describe, expect, it } from 'vitest';
import { DEFAULT_PLATFORM_PORTS } from './preflight-checks.ts';
import { runPreflight } from './preflight.ts';

describe('runPreflight on this machine', () => {
  it('reads every setting and probes loopback source addresses, writing nothing when told not to', async () => {
    const result = await runPreflight(
      { agents: 1, connectionsPerAgent: 100, devices: 100, platformListenPorts: DEFAULT_PLATFORM_PORTS, sourceAddresses: 1 },
      { fix: false }
    );
    expect(result.checks.map((check) => check.name)).toEqual([
      'open-file limit',
      'system-wide file limit',
      'reserved listener ports',
      'ephemeral port range',
      'loopback source addresses',
      'memory budget'
    ]);
    expect(result.checks.filter((check) => check.fixed !== undefined)).toEqual([]);
    // Linux routes all of 127.0.0.0/8 to loopback; the agents depend on it.
    expect(result.checks.find((check) => check.name === 'loopback source addresses')?.ok).toBe(true);
    expect(result.ok).toBe(result.checks.every((check) => check.ok));
  });
});
