import { freePort } from '@plexus/engines';
import { startAppProcess } from './app-process.ts';

export interface ControlPlaneProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** The real control-plane process on a free port; `env` names its engines (MONGODB_URI, REDIS_URL, …). */
export async function startControlPlaneProcess(env: Readonly<Record<string, string>>): Promise<ControlPlaneProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const supervised = await startAppProcess({
    name: 'control plane',
    entry: 'apps/control-plane/src/main.ts',
    env: { ...env, CONTROL_PLANE_PORT: String(port) },
    readyUrl: `${url}/readyz`
  });
  return { url, pid: supervised.pid, stop: supervised.stop };
}
