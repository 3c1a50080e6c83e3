import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { ensureEphemeralEngines, repoRoot } from '@plexus/engines';
import { redactUrl } from './config.ts';
import { addSummaryLine, emptyTally, formatTally, type TestTally } from './test-tally.ts';

const NX_ARGS = ['nx', 'run-many', '-t', 'lint', 'build', 'test', '--outputStyle=stream'];

/**
 * `./plexus test`: one set of engines for the whole workspace run (each project's globalSetup
 * sees MONGODB_URI/REDIS_URL/KINESIS_ENDPOINT and starts nothing), then lint, build (the strict
 * type-check) and test everywhere.
 */
export async function testCommand(): Promise<number> {
  const startedAt = Date.now();
  const engines = await ensureEphemeralEngines(process.env);
  const origin = engines.started.length === 0 ? 'external' : `started ${engines.started.map((e) => e.name).join(', ')}`;
  const urls = [engines.mongoUri, engines.redisUrl, engines.kinesisEndpoint].map(redactUrl).join(' ');
  console.log(`plexus test: engines ready (${origin}): ${urls}`);

  let code: number;
  const tally = emptyTally();
  try {
    const engineEnv = { MONGODB_URI: engines.mongoUri, REDIS_URL: engines.redisUrl, KINESIS_ENDPOINT: engines.kinesisEndpoint };
    code = await runNx({ ...process.env, ...engineEnv, NX_DAEMON: 'false' }, tally);
  } finally {
    await engines.stop();
  }
  const seconds = Math.round((Date.now() - startedAt) / 1000);
  if (code === 0) console.log(`\nplexus test: PASSED - lint, build and test succeeded in every project (${seconds} s)`);
  else console.error(`\nplexus test: FAILED - nx exited with code ${code}; the failed tasks are listed above (${seconds} s)`);
  console.log(formatTally(tally));
  return code;
}

/** Passes output through line by line, counting Vitest's test summaries on the way. */
function relay(from: Readable, to: Writable, tally: TestTally): Promise<void> {
  const lines = createInterface({ input: from, crlfDelay: Infinity });
  lines.on('line', (line) => {
    to.write(`${line}\n`);
    addSummaryLine(tally, line);
  });
  return new Promise((resolve) => lines.once('close', resolve));
}

function runNx(env: NodeJS.ProcessEnv, tally: TestTally): Promise<number> {
  const nx = spawn('npx', NX_ARGS, { cwd: repoRoot(), env, stdio: ['inherit', 'pipe', 'pipe'] });
  const relayed = Promise.all([relay(nx.stdout, process.stdout, tally), relay(nx.stderr, process.stderr, tally)]);
  // A terminal Ctrl-C reaches nx directly (same process group); a SIGTERM sent only to us is
  // passed on. Either way we wait for nx to end so the engines are stopped after it.
  const forward = (): void => void nx.kill('SIGTERM');
  process.on('SIGINT', () => {});
  process.on('SIGTERM', forward);
  return new Promise((resolve, reject) => {
    nx.once('error', reject);
    // A shell reports death by signal N as 128 + N; keep that convention for CI.
    nx.once('exit', (exitCode, signal) => {
      const code = exitCode ?? 128 + (signal === null ? 0 : constants.signals[signal]);
      void relayed.then(() => resolve(code));
    });
  });
}
