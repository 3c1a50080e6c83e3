import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, repoRoot, superviseChild, waitUntilReady } from '@plexus/engines';

export interface ControlPlaneProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Runs the real control-plane process, as `./plexus start` would, on a free port, and resolves
 * once `/readyz` answers. For tests and benchmarks of other planes, which talk to it over HTTP
 * and never import it. `env` names its engines (MONGODB_URI, REDIS_URL, …).
 */
export async function startControlPlaneProcess(env: Readonly<Record<string, string>>): Promise<ControlPlaneProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(repoRoot(), 'apps/control-plane/src/main.ts')], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, CONTROL_PLANE_PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit']
  });
  const supervised = await superviseChild(child, 10_000);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(supervised, {
      check: async () => {
        const response = await fetch(`${url}/readyz`);
        await response.body?.cancel();
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      },
      timeoutMs: 30_000,
      intervalMs: 100,
      exitedEarly: (exit) => new Error(`control plane exited before it was ready (${exit.signal ?? exit.code})`),
      timedOut: (lastProblem) => new Error(`control plane not ready within 30 s: ${lastProblem}`)
    });
  } catch (error) {
    await supervised.stop();
    throw error;
  }
  return { url, pid: supervised.pid, stop: supervised.stop };
}
