import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Compile } from 'typebox/compile';
import { AgentDirective, Assignment } from '../contracts/agent-protocol.ts';
import { Check as isAgentDirective } from './agent-directive-check.generated.ts';
import { Check as isAssignment } from './assignment-check.generated.ts';
import { answerCheckSources } from './generate-answer-checks.ts';

// The agent's committed checks must be the contracts' checks: same text as TypeBox generates
// today, and the same verdicts as TypeBox's compiled validator on good and bad answers.

function validAssignment(): Record<string, unknown> {
  return {
    runId: 'run-1',
    agentId: 'agent-1',
    scenario: {
      name: 'smoke',
      description: '',
      devices: 2,
      phases: [{ name: 'ramp', durationMs: 1000, total: 2 }],
      session: [
        { kind: 'connect', protocolVersion: 5, cleanStart: true, keepaliveSec: 30, sessionExpirySec: 0 },
        { kind: 'loop', count: 2, steps: [{ kind: 'publish', topic: 'devices/{deviceId}/telemetry', qos: 1, retain: false, payload: { kind: 'size', bytes: 10 }, stamped: true }] },
        { kind: 'stay' }
      ],
      thresholds: { maxLost: 0, maxErrorRatio: 0, storeWaitMs: 1000 },
      maxDurationMs: 60_000
    },
    mqtt: { host: '127.0.0.1', port: 1883 },
    sourceAddresses: ['127.0.1.1'],
    devices: { firstIndex: 0, ids: ['a', 'b'], tokens: ['t', 'u'] },
    share: 1,
    startAt: 1_800_000_000_000,
    statsIntervalMs: 1000
  };
}

describe('the agent answer checks', () => {
  it('are what generate-answer-checks.ts writes from the contracts today', () => {
    for (const { file, text } of answerCheckSources()) {
      expect(readFileSync(new URL(`./${file}`, import.meta.url), 'utf8'), `${file} is stale: run node e2e/loadtest/src/agent/generate-answer-checks.ts`).toBe(text);
    }
  });

  it('judge assignments as the compiled contract does', () => {
    const compiled = Compile(Assignment);
    const good = validAssignment();
    const bad: unknown[] = [
      { ...good, share: 2 },
      { ...good, extra: true },
      { ...good, sourceAddresses: [] },
      { ...good, scenario: { ...(good['scenario'] as object), session: [{ kind: 'loop', count: 1, steps: [{ kind: 'jump' }] }] } },
      { ...good, devices: { firstIndex: -1, ids: [], tokens: [] } },
      null
    ];
    expect(isAssignment(good)).toBe(true);
    expect(compiled.Check(good)).toBe(true);
    for (const answer of bad) {
      expect(compiled.Check(answer)).toBe(false);
      expect(isAssignment(answer)).toBe(false);
    }
  });

  it('judge directives as the compiled contract does', () => {
    const compiled = Compile(AgentDirective);
    for (const answer of [{ action: 'continue' }, { action: 'finish' }, { action: 'abort' }, { action: 'pause' }, { action: 'finish', why: 'x' }, 'finish']) {
      expect(isAgentDirective(answer)).toBe(compiled.Check(answer));
    }
  });
});
