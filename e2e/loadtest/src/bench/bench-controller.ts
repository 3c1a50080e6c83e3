import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AgentDirective, AgentResult, AgentStats, Assignment } from '../contracts/agent-protocol.ts';
import type { Scenario } from '../contracts/scenario.ts';

// The least of a run controller the agent needs (the agent protocol of contracts/agent-protocol.ts
// on node:http): one assignment with dummy device ids and tokens, `continue` until every session
// has ended, then `finish`, and the agent's result.

/** Long enough after the hello for the agent to be sampled at rest, every module loaded. */
const START_DELAY_MS = 2500;
const STATS_INTERVAL_MS = 500;

export interface BenchControllerOptions {
  readonly scenario: Scenario;
  readonly broker: { readonly host: string; readonly port: number };
  readonly sourceAddresses: readonly string[];
}

export interface BenchController {
  readonly url: string;
  /** The agent's result, posted once it was told to finish. */
  readonly result: Promise<AgentResult>;
  latestStats(): AgentStats | null;
  close(): Promise<void>;
}

function assignmentFor(options: BenchControllerOptions): Assignment {
  const count = options.scenario.devices;
  const ids = Array.from({ length: count }, (_, index) => `bench-${index}`);
  return {
    runId: `bench-${Date.now()}`,
    agentId: 'bench-agent',
    // The contract's static type has mutable arrays; the scenario is only serialized here.
    scenario: options.scenario as Assignment['scenario'],
    mqtt: { host: options.broker.host, port: options.broker.port },
    sourceAddresses: [...options.sourceAddresses],
    devices: { firstIndex: 0, ids, tokens: ids.map(() => 'bench-token') },
    share: 1,
    startAt: Date.now() + START_DELAY_MS,
    statsIntervalMs: STATS_INTERVAL_MS
  };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return JSON.parse(text);
}

export async function startBenchController(options: BenchControllerOptions): Promise<BenchController> {
  let latest: AgentStats | null = null;
  let deliverResult: (result: AgentResult) => void = () => undefined;
  const result = new Promise<AgentResult>((resolve) => (deliverResult = resolve));
  const reply = (response: ServerResponse, status: number, body?: unknown): void => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? undefined : JSON.stringify(body));
  };
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readJson(request);
    const path = request.url ?? '';
    if (path === '/api/agents') return reply(response, 201, assignmentFor(options));
    if (path.endsWith('/stats')) {
      latest = body as AgentStats;
      const action: AgentDirective['action'] = latest.devicesFinished >= options.scenario.devices ? 'finish' : 'continue';
      return reply(response, 200, { action });
    }
    if (path.endsWith('/result')) {
      reply(response, 204);
      return deliverResult(body as AgentResult);
    }
    reply(response, 404, { code: 'NOT_FOUND' });
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => reply(response, 400, { message: (error as Error).message }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    result,
    latestStats: () => latest,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  };
}
