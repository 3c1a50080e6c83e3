import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, repoRoot } from '@plexus/engines';

export interface ControlPlaneProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Runs the real control-plane process, as `./plexus start` would, and waits until it is ready. */
export async function startControlPlane(env: Record<string, string>): Promise<ControlPlaneProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot(), 'apps/control-plane/src/main.ts')], {
    env: { ...process.env, ...env, CONTROL_PLANE_PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit']
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`control plane exited with code ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('control plane not ready within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    pid: child.pid as number,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      })
  };
}
