import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launchEngine } from './engine-process.ts';
import { PlexusError } from '@plexus/errors';

const logDir = mkdtempSync(join(tmpdir(), 'plexus-engine-process-'));
afterAll(() => rmSync(logDir, { recursive: true, force: true }));

function nodeScript(name: string, script: string, healthCheck: () => Promise<void>, startTimeoutMs = 5_000) {
  return launchEngine({
    name,
    command: process.execPath,
    args: ['-e', script],
    url: 'test://nowhere',
    logFile: join(logDir, `${name}.log`),
    startTimeoutMs,
    healthCheck,
    stopGraceMs: 300
  });
}

describe('launchEngine', () => {
  it('rejects with the log tail when the process exits during start-up', async () => {
    const error = await nodeScript('crasher', "console.error('cannot open data dir'); process.exit(3)", () =>
      Promise.reject(new Error('not listening'))
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PlexusError);
    expect((error as PlexusError).code).toBe('PLX_ENGINE_EXITED_EARLY');
    expect((error as PlexusError).message).toContain('exit code 3');
    expect((error as PlexusError).message).toContain('cannot open data dir');
  });

  it('gives up at the deadline, stops the process and says what the health check saw', async () => {
    const error = await nodeScript(
      'sleeper',
      "console.log('warming up'); setInterval(() => {}, 1000)",
      () => Promise.reject(new Error('connection refused')),
      300
    ).catch((caught: unknown) => caught);
    expect((error as PlexusError).code).toBe('PLX_ENGINE_START_TIMEOUT');
    expect((error as PlexusError).message).toContain('connection refused');
    expect((error as PlexusError).message).toContain('warming up');
  });

  it('escalates to SIGKILL only when SIGTERM is ignored', async () => {
    // Healthy only once the handler is installed, so SIGTERM cannot arrive before it.
    const handle = await nodeScript(
      'sigterm-ignorer',
      "process.on('SIGTERM', () => {}); console.log('ignoring SIGTERM'); setInterval(() => {}, 1000)",
      async () => {
        if (!readFileSync(join(logDir, 'sigterm-ignorer.log'), 'utf8').includes('ignoring SIGTERM')) throw new Error('not yet');
      }
    );
    await handle.stop();
    await expect(handle.exited).resolves.toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('rejects with PLX_ENGINE_SPAWN_FAILED when the binary does not exist', async () => {
    const error = await launchEngine({
      name: 'ghost',
      command: join(logDir, 'no-such-binary'),
      args: [],
      url: 'test://nowhere',
      logFile: join(logDir, 'ghost.log'),
      startTimeoutMs: 1_000,
      healthCheck: () => Promise.resolve()
    }).catch((caught: unknown) => caught);
    expect((error as PlexusError).code).toBe('PLX_ENGINE_SPAWN_FAILED');
  });
});
