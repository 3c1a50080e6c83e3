import { describe, expect, it } from 'vitest';
import { importTsungXml } from '../scenario/tsung-import.ts';
import { agentScenario, benchShape } from './bench-shape.ts';
import { tsungBenchXml } from './tsung-bench-xml.ts';

// The Tsung file and the agent's scenario must be one session, or the comparison compares two
// workloads: the load suite's own Tsung import reads the file back into the agent's terms.

describe('tsungBenchXml', () => {
  const shape = benchShape(10_000, 200_000, 4);

  it('is, read back by the Tsung import, the session the agent runs (its idle stay as a think time)', () => {
    const imported = importTsungXml(tsungBenchXml(shape, 18_830), 'bench.xml');
    expect(imported.unsupported).toEqual([]);
    const expected = agentScenario(shape).session.map((step) =>
      step.kind === 'stay' ? { kind: 'think', meanMs: shape.idleMs, distribution: 'fixed' } : step
    );
    expect(imported.scenario.session).toEqual(expected);
    expect(imported.scenario.devices).toBe(shape.connections);
  });

  it('connects from the same source addresses to the one broker port', () => {
    const xml = tsungBenchXml(shape, 18_830);
    for (const address of shape.sourceAddresses) expect(xml).toContain(`<ip value="${address}"/>`);
    expect(xml).toContain('<server host="127.0.0.1" port="18830" type="tcp"/>');
    expect(xml).toContain(`maxusers="${shape.connections}"`);
  });
});
