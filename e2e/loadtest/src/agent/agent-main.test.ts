import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Compile } from 'typebox/compile';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { nextEvent, within } from '@plexus/test-harness';
import { AgentHello, AgentResult, AgentStats, type AgentDirective, type Assignment } from '../contracts/agent-protocol.ts';
import { DeviceConnection, type ConnectionListener } from './device-connection.ts';
import { startMosquitto, type TestMosquitto } from './test-mosquitto.ts';

// The agent process end to end: a small controller in the test speaks the agent protocol, and
// the devices talk to a real broker (mosquitto). What the agent reports as acknowledged is
// compared with what the broker actually passed on to a subscriber.

const AGENT_MAIN = fileURLToPath(new URL('./agent-main.ts', import.meta.url));
const isHello = Compile(AgentHello);
const isStats = Compile(AgentStats);
const isResult = Compile(AgentResult);

class TestController extends EventEmitter {
  readonly hellos: unknown[] = [];
  readonly stats: AgentStats[] = [];
  readonly results: AgentResult[] = [];
  readonly invalid: string[] = [];
  decide: (stats: AgentStats) => AgentDirective['action'] = () => 'continue';
  private readonly server: Server;
  private readonly assignment: (hello: AgentHello) => Assignment;

  constructor(assignment: (hello: AgentHello) => Assignment) {
    super();
    this.assignment = assignment;
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    return `http://127.0.0.1:${address.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    const body: unknown = JSON.parse(text);
    const reply = (status: number, answer?: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(answer === undefined ? undefined : JSON.stringify(answer));
    };
    if (request.url === '/api/agents') {
      if (!isHello.Check(body)) this.invalid.push('hello');
      this.hellos.push(body);
      this.emit('hello', body);
      return reply(201, this.assignment(body as AgentHello));
    }
    if (request.url?.endsWith('/stats')) {
      if (!isStats.Check(body)) this.invalid.push('stats');
      this.stats.push(body as AgentStats);
      const action = this.decide(body as AgentStats);
      this.emit('stats', body);
      return reply(200, { action });
    }
    if (request.url?.endsWith('/result')) {
      if (!isResult.Check(body)) this.invalid.push('result');
      this.results.push(body as AgentResult);
      this.emit('result', body);
      return reply(204);
    }
    reply(404, { code: 'NOT_FOUND' });
  }
}

function startAgent(controllerUrl: string, extra: string[] = []): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, [AGENT_MAIN, '--controller', controllerUrl, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

let broker: TestMosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.stop();
});

const DEVICES = 30;
const PUBLISHES = 4;

function scenario(): Assignment['scenario'] {
  return {
    name: 'agent-test',
    description: 'connect, listen to itself, publish stamped QoS 1 messages, stay',
    devices: DEVICES,
    phases: [{ name: 'ramp', durationMs: 300, total: DEVICES }],
    session: [
      { kind: 'connect', protocolVersion: 5, cleanStart: true, keepaliveSec: 30, sessionExpirySec: 0 },
      { kind: 'subscribe', filter: 'devices/{deviceId}/telemetry', qos: 0 },
      {
        kind: 'loop',
        count: PUBLISHES,
        steps: [
          { kind: 'publish', topic: 'devices/{deviceId}/telemetry', qos: 1, retain: false, payload: { kind: 'size', bytes: 120 }, stamped: true },
          { kind: 'think', meanMs: 10, distribution: 'exponential' }
        ]
      },
      { kind: 'stay' }
    ],
    thresholds: { maxLost: 0, maxErrorRatio: 0, storeWaitMs: 1000 },
    maxDurationMs: 60_000
  };
}

function assignmentFor(hello: AgentHello): Assignment {
  const ids = Array.from({ length: DEVICES }, (_, index) => `agent-test-${index}`);
  return {
    runId: 'run-1',
    agentId: 'agent-1',
    scenario: scenario(),
    mqtt: { host: 'localhost', port: broker.port },
    sourceAddresses: hello.sourceAddresses.length > 0 ? hello.sourceAddresses : ['127.0.0.1'],
    devices: { firstIndex: 100, ids, tokens: ids.map((id) => `token-${id}`) },
    share: 1,
    startAt: Date.now() + 200,
    statsIntervalMs: 200
  };
}

/** A subscriber on the broker counting, per device, the telemetry the broker accepted. */
async function watchTelemetry(expected: number): Promise<{ perDevice: Map<string, number>; all: Promise<void>; stop: () => void }> {
  const perDevice = new Map<string, number>();
  let total = 0;
  let allArrived: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (allArrived = resolve));
  let ready: () => void = () => undefined;
  const subscribed = new Promise<void>((resolve) => (ready = resolve));
  const listener: ConnectionListener = {
    connected: (connection) => connection.subscribe('devices/+/telemetry', 1),
    acknowledged: () => undefined,
    subscribed: () => ready(),
    received: (_connection, topic) => {
      const device = topic.split('/')[1]!;
      perDevice.set(device, (perDevice.get(device) ?? 0) + 1);
      total += 1;
      if (total === expected) allArrived();
    },
    closed: () => undefined
  };
  const connection = new DeviceConnection(
    { host: '127.0.0.1', port: broker.port, protocolVersion: 5, clientId: 'watcher', cleanStart: true, keepaliveSec: 60, sessionExpirySec: 0 },
    listener,
    0
  );
  await within(subscribed, 10_000, 'watcher subscribed');
  return { perDevice, all, stop: () => connection.disconnect() };
}

describe('agent-main', () => {
  it('joins, runs its devices, reports stats, and on finish closes them and posts per-device counts the broker agrees with', async () => {
    const controller = new TestController(assignmentFor);
    const url = await controller.listen();
    const watcher = await watchTelemetry(DEVICES * PUBLISHES);
    controller.decide = (stats) => (stats.acked === DEVICES * PUBLISHES && stats.connected === DEVICES ? 'finish' : 'continue');
    const agent = startAgent(url, ['--source-addresses', '127.0.3.1,127.0.3.2']);
    try {
      const [result] = (await nextEvent(controller, 'result', 20_000)) as [AgentResult];
      expect(await within(agent.exited, 10_000, 'agent exit')).toBe(0);
      expect(controller.invalid).toEqual([]);
      expect(controller.hellos).toEqual([{ hostname: expect.any(String), pid: agent.child.pid, sourceAddresses: ['127.0.3.1', '127.0.3.2'] }]);
      expect(result.firstIndex).toBe(100);
      expect(result.sentPerDevice).toEqual(new Array(DEVICES).fill(PUBLISHES));
      expect(result.ackedPerDevice).toEqual(new Array(DEVICES).fill(PUBLISHES));
      expect(result.final).toMatchObject({ connected: 0, connects: DEVICES, devicesStarted: DEVICES, publishesSent: DEVICES * PUBLISHES, errors: {} });
      await within(watcher.all, 10_000, 'the watcher has every message');
      for (let index = 0; index < DEVICES; index++) expect(watcher.perDevice.get(`agent-test-${index}`)).toBe(result.ackedPerDevice[index]);
      const histograms = [...controller.stats, result.final];
      const ackCount = histograms.reduce((sum, stats) => sum + decodeFromCompressedBase64(stats.ackLatencyUs).totalCount, 0);
      const endToEndCount = histograms.reduce((sum, stats) => sum + decodeFromCompressedBase64(stats.endToEndLatencyUs).totalCount, 0);
      expect(ackCount).toBe(DEVICES * PUBLISHES);
      expect(endToEndCount).toBe(result.final.received);
      expect(result.final.received).toBe(DEVICES * PUBLISHES);
      expect(controller.stats.at(-1)!.phase).toBe('done');
      expect(controller.stats.every((stats, index) => index === 0 || stats.at >= controller.stats[index - 1]!.at)).toBe(true);
    } finally {
      agent.child.kill('SIGKILL');
      watcher.stop();
      await controller.close();
    }
  });

  it('takes SIGTERM as abort: closes its devices, posts its result, exits 0', async () => {
    const controller = new TestController(assignmentFor);
    const url = await controller.listen();
    const agent = startAgent(url);
    try {
      await within(
        new Promise<void>((resolve) => controller.on('stats', (stats: AgentStats) => stats.connected === DEVICES && resolve())),
        20_000,
        'every device connected'
      );
      agent.child.kill('SIGTERM');
      const [result] = (await nextEvent(controller, 'result', 20_000)) as [AgentResult];
      expect(await within(agent.exited, 10_000, 'agent exit')).toBe(0);
      expect(result.final.connected).toBe(0);
      expect(result.final.connects).toBe(DEVICES);
    } finally {
      agent.child.kill('SIGKILL');
      await controller.close();
    }
  });

  it('gives up with a non-zero exit when the controller stops answering', async () => {
    const controller = new TestController(assignmentFor);
    const url = await controller.listen();
    const agent = startAgent(url, ['--controller-timeout-ms', '1000']);
    try {
      await nextEvent(controller, 'stats', 20_000);
      await controller.close();
      expect(await within(agent.exited, 15_000, 'agent exit')).toBe(1);
      expect(agent.output()).toContain('has not answered');
    } finally {
      agent.child.kill('SIGKILL');
    }
  });

  it('refuses bad arguments with a catalog code', async () => {
    const agent = startAgent('not a url');
    expect(await within(agent.exited, 10_000, 'agent exit')).toBe(1);
    expect(agent.output()).toContain('PLX_LOADTEST_AGENT_BAD_ARGUMENTS');
  });
});
