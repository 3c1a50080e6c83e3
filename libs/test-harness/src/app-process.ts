import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, superviseChild, waitUntilReady, type SupervisedChild } from '@plexus/engines';

export interface AppProcessOptions {
  /** What errors call it ("control plane", "gateway"). */
  readonly name: string;
  /** Entry file, relative to the repository root. */
  readonly entry: string;
  readonly env: Readonly<Record<string, string>>;
  /** Answers 2xx once the app is ready. */
  readonly readyUrl: string;
  readonly stopGraceMs?: number;
}

/**
 * Runs one of the platform's apps as its own process, as `./plexus start` would, and resolves
 * once its readiness URL answers. For tests and benchmarks of other parts, which talk to it over
 * the network and never import it.
 */
export async function startAppProcess(options: AppProcessOptions): Promise<SupervisedChild> {
  const child = spawn(process.execPath, [join(repoRoot(), options.entry)], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'inherit', 'inherit']
  });
  const supervised = await superviseChild(child, options.stopGraceMs ?? 10_000);
  try {
    await waitUntilReady(supervised, {
      check: async () => {
        const response = await fetch(options.readyUrl);
        await response.body?.cancel();
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      },
      timeoutMs: 30_000,
      intervalMs: 100,
      exitedEarly: (exit) => new Error(`${options.name} exited before it was ready (${exit.signal ?? exit.code})`),
      timedOut: (lastProblem) => new Error(`${options.name} not ready within 30 s: ${lastProblem}`)
    });
  } catch (error) {
    await supervised.stop();
    throw error;
  }
  return supervised;
}
