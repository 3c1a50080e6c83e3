import { describe, expect, it } from 'vitest';
import { parseRunOptions } from './run-options.ts';

describe('parseRunOptions', () => {
  it('defaults to the default scenario on port 8091, agents sized by the run', () => {
    expect(parseRunOptions([], '/repo')).toMatchObject({ scenario: 'default', port: 8091, localAgents: undefined, remoteAgents: 0, outDir: '/repo/dist/loadtest', target: undefined });
  });

  it('takes a target only as all three URLs', () => {
    const options = parseRunOptions(
      ['--scenario', 'smoke', '--target-control-plane', 'http://10.0.0.2:8080/', '--target-data-plane', 'http://10.0.0.2:8081', '--target-mqtt', 'mqtt://10.0.0.2:1883', '--agents', '2'],
      '/repo'
    );
    expect(options).toMatchObject({ scenario: 'smoke', localAgents: 2, target: { controlPlane: 'http://10.0.0.2:8080', mqtt: 'mqtt://10.0.0.2:1883' } });
    expect(() => parseRunOptions(['--target-mqtt', 'mqtt://10.0.0.2:1883'], '/repo')).toThrow(expect.objectContaining({ code: 'PLX_LOADTEST_BAD_OPTION' }));
  });

  it('names the flag that is wrong', () => {
    expect(() => parseRunOptions(['--devices', 'many'], '/repo')).toThrow(/--devices: expected a whole number/);
    expect(() => parseRunOptions(['--colour', 'blue'], '/repo')).toThrow(/--colour: unknown option/);
    expect(() => parseRunOptions(['--target-control-plane', 'not a url', '--target-data-plane', 'x', '--target-mqtt', 'y'], '/repo')).toThrow(/is not a URL/);
  });
});
