import { describe, expect, it } from 'vitest';
import type { PlexusError } from '@plexus/errors';
import { defaultMaxDurationMs } from './estimate-duration.ts';
import { scenarioErrors } from './errors.ts';
import { parseScenarioYaml } from './scenario-yaml.ts';

const MINIMAL = `
devices: 10
phases:
  - { duration: 1s, rate: 10 }
session:
  - connect
  - publish
`;

function parse(text: string, env: Record<string, string> = {}) {
  return parseScenarioYaml(text, 'test.yaml', env);
}

function failure(text: string, env: Record<string, string> = {}): PlexusError {
  try {
    parse(text, env);
  } catch (error) {
    return error as PlexusError;
  }
  throw new Error('expected the scenario to be rejected');
}

/** A scenario whose session is `steps` (YAML lines indented under `session:`). */
function withSession(steps: string): string {
  return `devices: 10\nphases:\n  - { duration: 1s, rate: 10 }\nsession:\n${steps}\n`;
}

describe('parseScenarioYaml defaults', () => {
  it('fills everything a minimal file leaves out', () => {
    const scenario = parse(MINIMAL);
    expect(scenario.name).toBe('test');
    expect(scenario.description).toBe('');
    expect(scenario.phases).toEqual([{ name: 'phase1', durationMs: 1000, ratePerSec: 10 }]);
    expect(scenario.session).toEqual([
      { kind: 'connect', protocolVersion: 4, cleanStart: true, keepaliveSec: 60, sessionExpirySec: 0 },
      {
        kind: 'publish',
        topic: 'devices/{deviceId}/telemetry',
        qos: 1,
        retain: false,
        payload: { kind: 'size', bytes: 64 },
        stamped: true
      }
    ]);
    expect(scenario.thresholds).toEqual({ maxLost: 0, maxErrorRatio: 0, storeWaitMs: 60_000 });
    expect(scenario.maxDurationMs).toBe(defaultMaxDurationMs(scenario));
  });

  it('reads the authoring syntax of the brief, durations included', () => {
    const scenario = parse(`
name: smoke
description: the smoke run
devices: 1_000
phases:
  - { name: ramp, duration: 5s, rate: 50 }
  - { name: rest, duration: 1.5m, total: 20 }
session:
  - connect: { mqtt: 5, keepalive: 30s, clean: false, sessionExpiry: 1h, will: { topic: "devices/{deviceId}/telemetry" } }
  - subscribe: { filter: "devices/{deviceId}/commands", qos: 0 }
  - publish: { topic: "devices/{deviceId}/telemetry/power", qos: 0, retain: true, payload: '{"ts":{timestamp},"w":{random}}', stamped: true }
  - think: 250ms
  - stay: 2h
  - stay: {}
  - disconnect: {}
thresholds: { maxLost: 3, maxErrorRatio: 0.01, storeWait: 90s }
maxDuration: 10m
`);
    expect(scenario).toEqual({
      name: 'smoke',
      description: 'the smoke run',
      devices: 1000,
      phases: [
        { name: 'ramp', durationMs: 5000, ratePerSec: 50 },
        { name: 'rest', durationMs: 90_000, total: 20 }
      ],
      session: [
        {
          kind: 'connect',
          protocolVersion: 5,
          cleanStart: false,
          keepaliveSec: 30,
          sessionExpirySec: 3600,
          will: { topic: 'devices/{deviceId}/telemetry', payload: '', qos: 0, retain: false }
        },
        { kind: 'subscribe', filter: 'devices/{deviceId}/commands', qos: 0 },
        {
          kind: 'publish',
          topic: 'devices/{deviceId}/telemetry/power',
          qos: 0,
          retain: true,
          payload: { kind: 'template', template: '{"ts":{timestamp},"w":{random}}' },
          stamped: true
        },
        { kind: 'think', meanMs: 250, distribution: 'fixed' },
        { kind: 'stay', durationMs: 7_200_000 },
        { kind: 'stay' },
        { kind: 'disconnect' }
      ],
      thresholds: { maxLost: 3, maxErrorRatio: 0.01, storeWaitMs: 90_000 },
      maxDurationMs: 600_000
    });
  });

  it('leaves a template payload unstamped unless asked, since only a template that writes the time carries it', () => {
    const [publish] = parse(withSession(`  - publish: { payload: "on" }`)).session;
    expect(publish).toMatchObject({ payload: { kind: 'template', template: 'on' }, stamped: false });
  });

  it('nests loops to any depth', () => {
    const scenario = parse(
      withSession(`
  - loop:
      count: 3
      steps:
        - loop:
            count: 2
            steps:
              - publish: { size: 10 }
              - think: { mean: 1s, distribution: exponential }
        - stay: 1s`)
    );
    expect(scenario.session).toEqual([
      {
        kind: 'loop',
        count: 3,
        steps: [
          {
            kind: 'loop',
            count: 2,
            steps: [
              { kind: 'publish', topic: 'devices/{deviceId}/telemetry', qos: 1, retain: false, payload: { kind: 'size', bytes: 10 }, stamped: true },
              { kind: 'think', meanMs: 1000, distribution: 'exponential' }
            ]
          },
          { kind: 'stay', durationMs: 1000 }
        ]
      }
    ]);
  });

  it('takes ${NAME:-default} from the environment before parsing', () => {
    const text = 'devices: ${FLEET:-25}\nphases:\n  - duration: ${RAMP:-2s}\n    rate: 10\nsession:\n  - think: ${THINK:-1h}\n';
    expect(parse(text)).toMatchObject({ devices: 25, phases: [{ durationMs: 2000 }], session: [{ meanMs: 3_600_000 }] });
    expect(parse(text, { FLEET: '7', THINK: '5s' })).toMatchObject({ devices: 7, session: [{ meanMs: 5000 }] });
    const unset = failure('devices: ${FLEET}\n');
    expect(unset.code).toBe(scenarioErrors.unsetVariable.code);
    expect(unset.message).toContain('test.yaml:1');
  });
});

describe('parseScenarioYaml errors', () => {
  it('names the file and the path of a bad value', () => {
    const error = failure(
      withSession(`
  - connect
  - subscribe: {}
  - loop:
      count: 5
      steps:
        - publish: { qos: 2 }`)
    );
    expect(error.code).toBe(scenarioErrors.invalid.code);
    expect(error.message).toBe('test.yaml: session[2].loop.steps[0].publish.qos must be 0 or 1');
    expect(error.details).toEqual({ source: 'test.yaml', path: 'session[2].loop.steps[0].publish.qos' });
  });

  it.each([
    ['a misspelt top-level key', `${MINIMAL}thresolds: {}\n`, 'thresolds'],
    ['a misspelt phase key', MINIMAL.replace('rate: 10', 'rat: 10'), 'phases[0].rat'],
    ['a misspelt step setting', withSession('  - publish: { stampd: true }'), 'session[0].publish.stampd'],
    ['a step that does not exist', withSession('  - sleep: 1s'), 'session[0].sleep'],
    ['a bare name that is not a step', withSession('  - reconnect'), 'session[0].reconnect'],
    ['a misspelt will key', withSession('  - connect: { will: { topic: t, msg: bye } }'), 'session[0].connect.will.msg'],
    ['a setting on disconnect', withSession('  - disconnect: { reason: 0 }'), 'session[0].disconnect.reason']
  ])('rejects %s as an unknown key', (_case, text, path) => {
    const error = failure(text);
    expect(error.code).toBe(scenarioErrors.unknownKey.code);
    expect(error.details).toEqual({ source: 'test.yaml', path });
    expect(error.message.startsWith(`test.yaml: ${path} is not a known key`)).toBe(true);
  });

  it.each([
    ['devices missing', 'phases:\n  - { duration: 1s }\nsession:\n  - connect\n', 'devices', 'must be set'],
    ['devices not an integer', MINIMAL.replace('devices: 10', 'devices: 2.5'), 'devices', 'must be an integer from 1 to 10000000'],
    ['no phases', 'devices: 1\nphases: []\nsession:\n  - connect\n', 'phases', 'must not be empty'],
    ['a phase without duration', MINIMAL.replace('duration: 1s, ', ''), 'phases[0].duration', 'must be set'],
    ['a zero rate', MINIMAL.replace('rate: 10', 'rate: 0'), 'phases[0].rate', 'must be a number > 0'],
    ['a bad duration', MINIMAL.replace('1s', 'soon'), 'phases[0].duration', 'must be a duration such as 250ms, 30s, 5m or 1h (a bare number is ms)'],
    ['no session', 'devices: 1\nphases:\n  - { duration: 1s }\n', 'session', 'must be set'],
    ['a step map with two keys', withSession('  - { connect: {}, publish: {} }'), 'session[0]', 'must be one step'],
    ['keepalive in bare ms', withSession('  - connect: { keepalive: 60 }'), 'session[0].connect.keepalive', 'must be whole seconds'],
    ['keepalive too long', withSession('  - connect: { keepalive: 19h }'), 'session[0].connect.keepalive', 'must be at most 65535s'],
    ['an MQTT version', withSession('  - connect: { mqtt: 3 }'), 'session[0].connect.mqtt', 'must be 3.1.1 or 5'],
    ['session expiry on 3.1.1', withSession('  - connect: { sessionExpiry: 1m }'), 'session[0].connect.sessionExpiry', 'needs mqtt: 5'],
    ['a will without topic', withSession('  - connect: { will: { payload: bye } }'), 'session[0].connect.will.topic', 'must be set'],
    ['size and payload together', withSession('  - publish: { size: 10, payload: x }'), 'session[0].publish.payload', 'cannot be given with size'],
    ['an oversized payload', withSession('  - publish: { size: 300000 }'), 'session[0].publish.size', 'must be an integer from 0 to 262144'],
    ['a stamped template without the stamp', withSession('  - publish: { payload: x, stamped: true }'), 'session[0].publish.stamped', 'needs the payload to start with'],
    ['a think distribution', withSession('  - think: { mean: 1s, distribution: normal }'), 'session[0].think.distribution', 'must be fixed or exponential'],
    ['a think without mean', withSession('  - think: { distribution: fixed }'), 'session[0].think.mean', 'must be set'],
    ['a loop without count', withSession('  - loop: { steps: [connect] }'), 'session[0].loop.count', 'must be set'],
    ['an empty loop', withSession('  - loop: { count: 2, steps: [] }'), 'session[0].loop.steps', 'must not be empty'],
    ['an error ratio above 1', `${MINIMAL}thresholds: { maxErrorRatio: 5 }\n`, 'thresholds.maxErrorRatio', 'must be a number from 0 to 1'],
    ['a zero maxDuration', `${MINIMAL}maxDuration: 0s\n`, 'maxDuration', 'must be at least 1ms']
  ])('rejects %s', (_case, text, path, problem) => {
    const error = failure(text);
    expect(error.code).toBe(scenarioErrors.invalid.code);
    expect(error.details).toEqual({ source: 'test.yaml', path });
    expect(error.message.startsWith(`test.yaml: ${path} ${problem}`)).toBe(true);
  });

  it('reports YAML syntax errors with the file and line', () => {
    const error = failure('devices: [10\nphases:\n');
    expect(error.code).toBe(scenarioErrors.yamlSyntax.code);
    expect(error.message.startsWith('test.yaml: ')).toBe(true);
    expect(error.details).toMatchObject({ path: expect.stringMatching(/^line \d+$/) });
  });

  it('rejects duplicate keys rather than keeping the last', () => {
    expect(failure(`${MINIMAL}devices: 20\n`).code).toBe(scenarioErrors.yamlSyntax.code);
  });

  it('rejects a document that is not a map', () => {
    const error = failure('- connect\n');
    expect(error.code).toBe(scenarioErrors.invalid.code);
    expect(error.message).toBe('test.yaml: the file must be a map');
  });
});
