import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Compile } from 'typebox/compile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlexusError } from '@plexus/errors';
import { Scenario, type SessionStep } from '../contracts/scenario.ts';
import { arrivalsEndMs, sessionDurationMs } from './estimate-duration.ts';
import { scenarioErrors } from './errors.ts';
import { SHIPPED_SCENARIOS_DIR, arrivalNotes, estimateDurationMs, loadScenario, shippedScenarioNames } from './load-scenario.ts';
import { parseScenarioYaml } from './scenario-yaml.ts';

const validScenario = Compile(Scenario);

/** Publishes one device makes, loops multiplied out. */
function publishesPerDevice(steps: readonly SessionStep[]): number {
  return steps.reduce((sum, step) => sum + (step.kind === 'publish' ? 1 : step.kind === 'loop' ? step.count * publishesPerDevice(step.steps) : 0), 0);
}

async function failure(nameOrPath: string): Promise<PlexusError> {
  try {
    await loadScenario(nameOrPath);
  } catch (error) {
    return error as PlexusError;
  }
  throw new Error(`expected ${nameOrPath} to be refused`);
}

describe('shipped scenarios', () => {
  it('are the four the suite documents', async () => {
    expect(await shippedScenarioNames()).toEqual(['default', 'million', 'seed', 'smoke']);
  });

  it.each(['smoke', 'default', 'million', 'seed'])('%s loads by name and matches the schema', async (name) => {
    const loaded = await loadScenario(name);
    expect(loaded.scenario.name).toBe(name);
    expect(loaded.source).toMatch(new RegExp(`scenarios/${name}\\.yaml$`));
    expect(validScenario.Check(loaded.scenario)).toBe(true);
    expect(loaded.unsupported).toEqual([]);
    expect(loaded.notes).toEqual([]);
    expect(loaded.scenario.maxDurationMs).toBeGreaterThan(estimateDurationMs(loaded.scenario));
  });

  it('smoke finishes its arrivals and sessions in about 20 s, measuring end-to-end latency on the device topic', async () => {
    const { scenario } = await loadScenario('smoke');
    expect(estimateDurationMs(scenario)).toBeLessThanOrEqual(20_000);
    expect(scenario.devices).toBeGreaterThanOrEqual(100);
    expect(scenario.session).toContainEqual({ kind: 'subscribe', filter: 'devices/{deviceId}/telemetry', qos: 1 });
    expect(JSON.stringify(scenario.session)).toContain('"qos":1,"retain":false,"payload":{"kind":"size","bytes":100},"stamped":true');
    expect(scenario.session.at(-1)).toEqual({ kind: 'disconnect' });
  });

  it('default is 10,000 devices at about 200/s, 20 QoS 1 publishes each, over a few minutes', async () => {
    const { scenario } = await loadScenario('default');
    expect(scenario.devices).toBe(10_000);
    expect(scenario.phases[0]?.ratePerSec).toBe(200);
    expect(publishesPerDevice(scenario.session)).toBe(20);
    expect(estimateDurationMs(scenario)).toBeGreaterThan(60_000);
    expect(estimateDurationMs(scenario)).toBeLessThan(5 * 60_000);
  });

  it('million keeps all 1,000,000 devices connected at once: a session outlasts the arrivals', async () => {
    const { scenario } = await loadScenario('million');
    expect(scenario.devices).toBe(1_000_000);
    expect(publishesPerDevice(scenario.session)).toBeGreaterThan(0);
    expect(sessionDurationMs(scenario.session)).toBeGreaterThan(arrivalsEndMs(scenario));
  });

  it('seed is the reference session: over a million devices, 100 QoS 1 publishes each, then a long think', async () => {
    const { scenario } = await loadScenario('seed');
    expect(scenario.devices).toBeGreaterThan(1_000_000);
    expect(publishesPerDevice(scenario.session)).toBe(100);
    expect(scenario.session.at(-2)).toEqual({ kind: 'think', meanMs: 3_600_000, distribution: 'fixed' });
  });

  it('the Tsung example imports with one unsupported element listed', async () => {
    const loaded = await loadScenario(join(SHIPPED_SCENARIOS_DIR, 'tsung-mqtt-example.xml'));
    expect(validScenario.Check(loaded.scenario)).toBe(true);
    expect(loaded.unsupported).toEqual([expect.stringContaining('<mqtt type="unsubscribe"> is not supported')]);
    expect(loaded.scenario.session.map((step) => step.kind)).toEqual(['connect', 'subscribe', 'loop', 'stay', 'disconnect']);
  });
});

describe('scenarios/README.md', () => {
  it('shows a YAML example that parses', async () => {
    const readme = await readFile(join(SHIPPED_SCENARIOS_DIR, 'README.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const scenario = parseScenarioYaml(example as string, 'README.md', {});
    expect(scenario.session.map((step) => step.kind)).toEqual(['connect', 'subscribe', 'loop', 'stay', 'disconnect']);
  });
});

describe('loadScenario', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'loadtest-scenario-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('reads a .yml path and says when the phases leave devices unstarted', async () => {
    const path = join(directory, 'short.yml');
    await writeFile(path, 'devices: 100\nphases:\n  - { duration: 2s, rate: 10 }\nsession:\n  - connect\n');
    const loaded = await loadScenario(path);
    expect(loaded.scenario.name).toBe('short');
    expect(loaded.source.endsWith('short.yml')).toBe(true);
    expect(loaded.notes).toEqual([]);
    expect(arrivalNotes(loaded.scenario)).toEqual(['the phases start 20 of the 100 devices; the other 80 are provisioned but never connect']);
    expect(arrivalNotes({ ...loaded.scenario, devices: 20 })).toEqual([]);
  });

  it('names the file in errors from inside it', async () => {
    const path = join(directory, 'broken.yaml');
    await writeFile(path, 'devices: 0\n');
    const error = await failure(path);
    expect(error.code).toBe(scenarioErrors.invalid.code);
    expect(error.message).toMatch(/broken\.yaml: devices must be an integer/);
  });

  it('refuses an unknown name, listing the shipped ones', async () => {
    const error = await failure('smok');
    expect(error.code).toBe(scenarioErrors.notFound.code);
    expect(error.message).toContain('default, million, seed, smoke');
  });

  it('refuses a missing file and a file of another format', async () => {
    expect((await failure(join(directory, 'absent.yaml'))).code).toBe(scenarioErrors.notFound.code);
    expect((await failure(join(directory, 'plan.json'))).code).toBe(scenarioErrors.unknownFormat.code);
  });
});
