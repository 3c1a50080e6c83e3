import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { describeExit, type EngineExit } from '@plexus/engines';
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

  let exitInfo: EngineExit | undefined;
  const exited = new Promise<EngineExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });

  let stopping: Promise<void> | undefined;
  const service: RunningService = {
    name: options.name,
    url: options.url,
    exited,
    stop: () => {
      stopping ??= terminate(child, exited, () => exitInfo !== undefined, options.stopGraceMs ?? 10_000);
      return stopping;
    }
  };
  try {
    await waitReady(options, exited, () => exitInfo);
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}

async function waitReady(
  options: NodeAppOptions,
  exited: Promise<EngineExit>,
  exitInfo: () => EngineExit | undefined
): Promise<void> {
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer';
  for (;;) {
    const exit = exitInfo();
    if (exit !== undefined) throw platformErrors.appExitedEarly(options.name, describeExit(exit));
    try {
      const response = await fetch(options.readyUrl, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      await response.body?.cancel();
      if (response.status === 200) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      lastProblem = cause?.code ?? (error as Error).message;
    }
    if (Date.now() >= deadline) {
      throw platformErrors.appNotReady(options.name, options.readyUrl, timeoutMs / 1000, lastProblem);
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS))]);
  }
}

async function terminate(
  child: ChildProcess,
  exited: Promise<EngineExit>,
  hasExited: () => boolean,
  graceMs: number
): Promise<void> {
  if (hasExited()) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceful = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    })
  ]);
  clearTimeout(timer);
  if (!graceful) {
    child.kill('SIGKILL');
    await exited;
  }
}

function prefixLines(source: Readable, target: NodeJS.WritableStream, name: string): void {
  createInterface({ input: source, crlfDelay: Infinity }).on('line', (line) => target.write(`[${name}] ${line}\n`));
}
