import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@plexus/engines';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeAppService } from './app-process.ts';

const directory = mkdtempSync(join(tmpdir(), 'plexus-app-process-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

// A stand-in app: /readyz is 503 until `readyAfter` requests, then 200; it echoes one env var.
function writeApp(name: string, body: string): string {
  const entry = join(directory, `${name}.ts`);
  writeFileSync(entry, body);
  return entry;
}

const httpApp = `
import { createServer } from 'node:http';
let asked = 0;
createServer((request, response) => {
  if (request.url === '/readyz') response.statusCode = ++asked >= 3 ? 200 : 503;
  response.end(process.env.GREETING ?? '');
}).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;

describe('nodeAppService', () => {
  it('resolves once /readyz answers 200, passes env, and stops on SIGTERM', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const service = await nodeAppService({
      name: 'fake-app',
      entry: writeApp('ready', httpApp),
      env: { PORT: String(port), GREETING: 'hello' },
      url: base,
      readyUrl: `${base}/readyz`
    }).start();
    expect(await (await fetch(base)).text()).toBe('hello');
    await service.stop();
    await expect(service.exited).resolves.toEqual({ code: 0, signal: null });
  });

  it('names the app and its exit when it dies during start-up', async () => {
    const start = nodeAppService({
      name: 'broken-app',
      entry: writeApp('broken', "console.error('MONGODB_URI is required'); process.exit(2);"),
      env: {},
      url: 'http://127.0.0.1:1',
      readyUrl: 'http://127.0.0.1:1/readyz'
    }).start();
    await expect(start).rejects.toMatchObject({
      code: 'PLX_PLATFORM_APP_EXITED_EARLY',
      message: expect.stringContaining('broken-app exited during start-up (exit code 2)')
    });
  });

  it('gives up at the deadline with what /readyz last said', async () => {
    const port = await freePort();
    const start = nodeAppService({
      name: 'never-ready',
      entry: writeApp('never', httpApp.replace('>= 3', '>= 1e9')),
      env: { PORT: String(port) },
      url: `http://127.0.0.1:${port}`,
      readyUrl: `http://127.0.0.1:${port}/readyz`,
      readyTimeoutMs: 1_000
    }).start();
    await expect(start).rejects.toMatchObject({ code: 'PLX_PLATFORM_APP_NOT_READY', message: expect.stringContaining('HTTP 503') });
  });

  it('refuses an entry file that does not exist', async () => {
    const start = nodeAppService({
      name: 'control-plane',
      entry: join(directory, 'missing.ts'),
      env: {},
      url: 'http://127.0.0.1:1',
      readyUrl: 'http://127.0.0.1:1/readyz'
    }).start();
    await expect(start).rejects.toMatchObject({ code: 'PLX_PLATFORM_APP_MISSING' });
  });
});
