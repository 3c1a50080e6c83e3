import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { describeExit, superviseChild, waitUntilReady } from '@plexus/engines';
import { platformErrors } from './errors.ts';
import type { RunningService, ServiceDefinition } from './service.ts';

export interface NodeAppOptions {
  readonly name: string;
  /** Absolute path of the app's `src/main.ts`; Node 24 runs it directly. */
  readonly entry: string;
  readonly env: Readonly<Record<string, string>>;
  /** The app's base URL, as shown to the user. */
  readonly url: string;
  /** Polled until it answers 200. */
  readonly readyUrl: string;
  readonly readyTimeoutMs?: number;
  readonly stopGraceMs?: number;
}

const POLL_INTERVAL_MS = 200;
const REQUEST_TIMEOUT_MS = 2_000;

/** A Plexus app run with this Node, its output shown line by line under its name. */
export function nodeAppService(options: NodeAppOptions): ServiceDefinition {
  return { name: options.name, start: () => startNodeApp(options) };
}

async function startNodeApp(options: NodeAppOptions): Promise<RunningService> {
  if (!existsSync(options.entry)) throw platformErrors.appMissing(options.name, options.entry);
  // Own process group: a terminal Ctrl-C reaches only the supervisor, which stops apps first.
  const child = spawn(process.execPath, [options.entry], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  });
  prefixLines(child.stdout, process.stdout, options.name);
  prefixLines(child.stderr, process.stderr, options.name);

  const supervised = await superviseChild(child, options.stopGraceMs ?? 10_000);
  const service: RunningService = { name: options.name, url: options.url, exited: supervised.exited, stop: supervised.stop };
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  try {
    await waitUntilReady(supervised, {
      check: async () => {
        const response = await fetch(options.readyUrl, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        await response.body?.cancel();
        if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      },
      timeoutMs,
      intervalMs: POLL_INTERVAL_MS,
      exitedEarly: (exit) => platformErrors.appExitedEarly(options.name, describeExit(exit)),
      timedOut: (lastProblem) => platformErrors.appNotReady(options.name, timeoutMs / 1000, options.readyUrl, lastProblem)
    });
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}

function prefixLines(source: Readable, target: NodeJS.WritableStream, name: string): void {
  createInterface({ input: source, crlfDelay: Infinity }).on('line', (line) => target.write(`[${name}] ${line}\n`));
}
