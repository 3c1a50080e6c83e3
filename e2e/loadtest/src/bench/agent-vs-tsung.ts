import { parseArgs } from 'node:util';
import { printFailure } from '@plexus/errors';
import { runAgentSide } from './agent-side.ts';
import { startBroker } from './bench-broker.ts';
import { benchShape, type BenchShape } from './bench-shape.ts';
import { benchTable } from './bench-table.ts';
import type { ClientRun } from './client-run.ts';
import { benchErrors } from './errors.ts';
import { runTsungSide } from './tsung-side.ts';

// The load suite's device side against Tsung, one after the other on the same loopback broker
// setup: `node e2e/loadtest/src/bench/agent-vs-tsung.ts --connections 10000 --messages 200000`.
// Each client gets a fresh mosquitto, connects the same fleet from the same source addresses,
// idles, publishes at QoS 1 and disconnects; both are measured from /proc the same way.

/** Under the 20,000 open-file limit of one process, with room for its other files. */
const MAX_CONNECTIONS = 18_000;
/** Beyond the planned ramp and idle time, what a client may take to publish and close. */
const PUBLISH_ALLOWANCE_MS = 180_000;

type Side = 'agent' | 'tsung';

interface BenchOptions {
  readonly shape: BenchShape;
  readonly sides: readonly Side[];
}

function wholeNumber(raw: string | undefined, fallback: number, name: string): number {
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw benchErrors.badArguments(`--${name} must be a positive whole number`);
  return value;
}

function parseBenchArguments(argv: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        connections: { type: 'string' },
        messages: { type: 'string' },
        'source-addresses': { type: 'string' },
        only: { type: 'string' }
      },
      strict: true
    }));
  } catch (error) {
    throw benchErrors.badArguments((error as Error).message);
  }
  const connections = wholeNumber(values.connections, 10_000, 'connections');
  if (connections > MAX_CONNECTIONS) throw benchErrors.tooManyConnections(connections, MAX_CONNECTIONS);
  const messages = wholeNumber(values.messages, 200_000, 'messages');
  const sourceAddresses = wholeNumber(values['source-addresses'], 4, 'source-addresses');
  if (sourceAddresses > 254) throw benchErrors.badArguments('--source-addresses must be at most 254 (127.0.1.1 to 127.0.1.254)');
  const only = values.only;
  if (only !== undefined && only !== 'agent' && only !== 'tsung') throw benchErrors.badArguments('--only must be agent or tsung');
  return { shape: benchShape(connections, messages, sourceAddresses), sides: only === undefined ? ['agent', 'tsung'] : [only] };
}

async function runSide(side: Side, shape: BenchShape): Promise<ClientRun> {
  const broker = await startBroker();
  const limitMs = shape.rampMs + shape.idleMs + PUBLISH_ALLOWANCE_MS;
  try {
    return side === 'agent' ? await runAgentSide(shape, broker, limitMs) : await runTsungSide(shape, broker, limitMs);
  } finally {
    await broker.stop();
  }
}

export async function runBench(argv: readonly string[]): Promise<string> {
  const { shape, sides } = parseBenchArguments(argv);
  console.log(
    `${shape.connections} connections over ${shape.rampMs / 1000} s from ${shape.sourceAddresses.length} source addresses, ` +
      `idle ${shape.idleMs / 1000} s, then ${shape.publishesPerConnection} QoS 1 publishes of ${shape.payloadBytes} bytes each (${shape.connections * shape.publishesPerConnection} in all)`
  );
  const runs: ClientRun[] = [];
  for (const side of sides) {
    console.log(`running ${side}…`);
    runs.push(await runSide(side, shape));
  }
  return benchTable(runs);
}

if (import.meta.main) {
  runBench(process.argv.slice(2)).then(
    (table) => console.log(`\n${table}`),
    (error: unknown) => {
      printFailure('agent-vs-tsung', error);
      process.exit(1);
    }
  );
}
