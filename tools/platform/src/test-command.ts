import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ensureEphemeralEngines, repoRoot } from '@plexus/engines';
import { redactUrl } from './config.ts';

const NX_ARGS = ['nx', 'run-many', '-t', 'lint', 'build', 'test', '--outputStyle=stream'];

/**
 * `./plexus test`: one pair of engines for the whole workspace run (each project's globalSetup
 * sees MONGODB_URI/REDIS_URL and starts nothing), then lint, build (the strict type-check) and test everywhere.
 */
export async function testCommand(): Promise<number> {
  const startedAt = Date.now();
  const engines = await ensureEphemeralEngines(process.env);
  const origin = engines.started.length === 0 ? 'external' : `started ${engines.started.map((e) => e.name).join(' and ')}`;
  console.log(`plexus test: engines ready (${origin}): ${redactUrl(engines.mongoUri)} ${redactUrl(engines.redisUrl)}`);

  let code: number;
  try {
    code = await runNx({ ...process.env, MONGODB_URI: engines.mongoUri, REDIS_URL: engines.redisUrl, NX_DAEMON: 'false' });
  } finally {
    await engines.stop();
  }
  const seconds = Math.round((Date.now() - startedAt) / 1000);
  if (code === 0) console.log(`\nplexus test: PASSED - lint, build and test succeeded in every project (${seconds} s)`);
  else console.error(`\nplexus test: FAILED - nx exited with code ${code}; the failed tasks are listed above (${seconds} s)`);
  return code;
}

function runNx(env: NodeJS.ProcessEnv): Promise<number> {
  const nx = spawn('npx', NX_ARGS, { cwd: repoRoot(), env, stdio: 'inherit' });
  // A terminal Ctrl-C reaches nx directly (same process group); a SIGTERM sent only to us is
  // passed on. Either way we wait for nx to end so the engines are stopped after it.
  const forward = (): void => void nx.kill('SIGTERM');
  process.on('SIGINT', () => {});
  process.on('SIGTERM', forward);
  return new Promise((resolve, reject) => {
    nx.once('error', reject);
    // A shell reports death by signal N as 128 + N; keep that convention for CI.
    nx.once('exit', (exitCode, signal) => resolve(exitCode ?? 128 + (signal === null ? 0 : constants.signals[signal])));
  });
}
