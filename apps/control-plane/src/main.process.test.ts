import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatApiKey, randomSecrets } from '@plexus/registry';
import { testEngines, uniqueDatabaseName } from '@plexus/test-harness';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

function start(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** Resolves with the first match of `pattern` in the process output, or rejects at exit or timeout. */
function waitForOutput(proc: ReturnType<typeof start>, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no ${pattern} within ${timeoutMs} ms:\n${proc.output()}`)), timeoutMs);
    const check = () => {
      const match = proc.output().match(pattern);
      if (match) finish(null, match);
    };
    const onExit = () => finish(new Error(`process exited before ${pattern}:\n${proc.output()}`));
    const finish = (error: Error | null, match?: RegExpMatchArray) => {
      clearTimeout(timer);
      proc.child.stdout?.off('data', check);
      proc.child.stderr?.off('data', check);
      proc.child.off('exit', onExit);
      if (error) reject(error);
      else resolve(match as RegExpMatchArray);
    };
    proc.child.stdout?.on('data', check);
    proc.child.stderr?.on('data', check);
    proc.child.once('exit', onExit);
    check();
  });
}

describe('control-plane process', () => {
  it('starts, becomes ready, serves the bootstrap admin and drains on SIGTERM', async () => {
    const { mongoUri, redisUrl } = testEngines();
    const adminKey = formatApiKey('a1b2c3d4', randomSecrets(1)[0] as string);
    const proc = start({
      MONGODB_URI: mongoUri,
      MONGODB_DATABASE: uniqueDatabaseName('control_plane_process'),
      REDIS_URL: redisUrl,
      CONTROL_PLANE_PORT: '0',
      PLEXUS_BOOTSTRAP_ADMIN_KEY: adminKey
    });
    const [, url] = await waitForOutput(proc, /Server listening at (http:\/\/127\.0\.0\.1:\d+)/);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const created = await fetch(`${url}/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'boot', name: 'Boot' })
    });
    expect(created.status).toBe(201);
    proc.child.kill('SIGTERM');
    const [code] = await once(proc.child, 'exit');
    expect(code).toBe(0);
    expect(proc.output()).toContain('draining');
  });

  it('refuses to start on bad configuration, naming the variable', async () => {
    const proc = start({ CONTROL_PLANE_PORT: '99999' });
    const [code] = await once(proc.child, 'exit');
    expect(code).toBe(1);
    expect(proc.output()).toMatch(/CONTROL_PLANE_PORT .*99999/);
  });
});
