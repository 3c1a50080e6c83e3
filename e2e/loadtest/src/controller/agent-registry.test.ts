import { describe, expect, it } from 'vitest';
import type { AgentResult } from '../contracts/agent-protocol.ts';
import { AgentRegistry, sliceOf } from './agent-registry.ts';
import { agentStats, unitScenario } from './unit-fixtures.ts';

const scenario = unitScenario(10);
const fleet = { ids: Array.from({ length: 10 }, (_, index) => `d${index}`), tokens: Array.from({ length: 10 }, (_, index) => `t${index}`) };

function registry(expectedAgents: number): AgentRegistry {
  return new AgentRegistry({
    runId: 'run-1',
    scenario,
    fleet,
    expectedAgents,
    mqtt: { host: '127.0.0.1', port: 1883 },
    sourceAddressesFor: (index) => [`127.0.${index + 1}.1`],
    statsIntervalMs: 1000,
    startLeadMs: 500,
    connectsInFlight: 400
  });
}

const hello = (pid: number, sourceAddresses: string[] = []) => ({ hostname: 'here', pid, sourceAddresses });

function result(agentId: string, firstIndex: number, count: number): AgentResult {
  const final = agentStats(agentId, Date.now(), { phase: 'done', devicesStarted: count, devicesFinished: count, connects: count });
  return { agentId, firstIndex, ackedPerDevice: new Array<number>(count).fill(0), sentPerDevice: new Array<number>(count).fill(0), final };
}

describe('sliceOf', () => {
  it('covers every device once, in contiguous slices differing by at most one', () => {
    for (const [devices, agents] of [[10, 3], [1_000_000, 56], [7, 7], [5, 1]] as const) {
      let next = 0;
      const sizes: number[] = [];
      for (let index = 0; index < agents; index++) {
        const slice = sliceOf(devices, agents, index);
        expect(slice.firstIndex).toBe(next);
        next += slice.count;
        sizes.push(slice.count);
      }
      expect(next).toBe(devices);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});

describe('AgentRegistry', () => {
  it('answers joins only once every expected agent is in, with one shared start and the fleet split between them', async () => {
    const agents = registry(3);
    let answered = 0;
    const first = agents.join(hello(11)).then((assignment) => {
      answered++;
      return assignment;
    });
    const second = agents.join(hello(12, ['10.0.0.5', '10.0.0.6']));
    await Promise.resolve();
    expect(answered).toBe(0);
    const third = await agents.join(hello(13));
    const [one, two] = await Promise.all([first, second]);
    expect([one?.devices.firstIndex, two?.devices.firstIndex, third?.devices.firstIndex]).toEqual([0, 4, 7]);
    expect(one?.devices.ids).toEqual(['d0', 'd1', 'd2', 'd3']);
    expect(third?.devices.tokens).toEqual(['t7', 't8', 't9']);
    expect(new Set([one?.startAt, two?.startAt, third?.startAt]).size).toBe(1);
    expect(one?.sourceAddresses).toEqual(['127.0.1.1']);
    expect(two?.sourceAddresses).toEqual(['10.0.0.5', '10.0.0.6']);
    expect(one?.share).toBeCloseTo(0.4);
    expect(one?.maxConnectsInFlight).toBe(134);
    expect(await agents.join(hello(14))).toBeUndefined();
  });

  it('tells agents to continue until the run finishes, then finish; completes when every result is in or lost', async () => {
    const agents = registry(2);
    const [one, two] = await Promise.all([agents.join(hello(1)), agents.join(hello(2))]);
    expect(agents.seen(one!.agentId, Date.now())).toEqual({ action: 'continue' });
    expect(agents.seen('agent-9', Date.now())).toBeUndefined();
    agents.tell('finish');
    expect(agents.seen(two!.agentId, Date.now())).toEqual({ action: 'finish' });

    let complete = false;
    void agents.allResults.then(() => (complete = true));
    expect(agents.acceptResult(result(one!.agentId, 0, 4))).toBe(false);
    expect(agents.acceptResult(result(one!.agentId, 0, 5))).toBe(true);
    await Promise.resolve();
    expect(complete).toBe(false);
    agents.markLost(two!.agentId);
    await agents.allResults;
    expect(agents.agents().map((agent) => agent.state)).toEqual(['done', 'lost']);
  });
});
