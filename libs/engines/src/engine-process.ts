import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EngineError, engineErrors } from './errors.ts';

export interface EngineExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface EngineHandle {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Settles when the process ends, whoever ended it; supervisors use it to notice crashes. */
  readonly exited: Promise<EngineExit>;
  /** SIGTERM, then SIGKILL after 10 s; safe to call more than once. */
  stop(): Promise<void>;
}

export interface EngineLaunch {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly url: string;
  readonly logFile: string;
  readonly startTimeoutMs: number;
  /** Resolves once the engine answers its protocol's ping; rejects with the reason otherwise. */
  readonly healthCheck: () => Promise<void>;
  /** How long stop() waits after SIGTERM before SIGKILL; 10 s unless a test needs less. */
  readonly stopGraceMs?: number;
}

const DEFAULT_STOP_GRACE_MS = 10_000;
const POLL_INTERVAL_MS = 100;
const LOG_TAIL_LINES = 20;

// A safety net for crashes of the parent: engines run in their own process group (so a
// terminal Ctrl-C reaches only the supervisor, which stops apps before engines), which also
// means nobody else would end them if the parent died without calling stop().
const running = new Set<number>();
process.on('exit', () => {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
});

export function describeExit(exit: EngineExit): string {
  return exit.signal === null ? `exit code ${exit.code}` : `signal ${exit.signal}`;
}

/** Starts `launch.command`, logging to `launch.logFile`, and resolves once it is healthy. */
export async function launchEngine(launch: EngineLaunch): Promise<EngineHandle> {
  mkdirSync(dirname(launch.logFile), { recursive: true });
  const logFd = openSync(launch.logFile, 'a');
  const logStart = fstatSync(logFd).size;
  const readLogTail = (): string => tailOf(launch.logFile, logStart);

  const child = spawn(launch.command, launch.args, { stdio: ['ignore', logFd, logFd], detached: true });
  closeSync(logFd);

  let exitInfo: EngineExit | undefined;
  const exited = new Promise<EngineExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      if (child.pid !== undefined) running.delete(child.pid);
      resolve(exitInfo);
    });
  });
  const spawned = new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', (error) => reject(engineErrors.spawnFailed(launch.name, error.message)));
  });
  const pid = await spawned;
  running.add(pid);

  let stopping: Promise<void> | undefined;
  const handle: EngineHandle = {
    name: launch.name,
    url: launch.url,
    pid,
    exited,
    stop: () => {
      stopping ??= stopProcess(
        () => exitInfo !== undefined,
        child.kill.bind(child),
        exited,
        launch.stopGraceMs ?? DEFAULT_STOP_GRACE_MS
      );
      return stopping;
    }
  };

  try {
    await waitHealthy(launch, exited, () => exitInfo, readLogTail);
  } catch (error) {
    await handle.stop();
    throw error;
  }
  return handle;
}

async function waitHealthy(
  launch: EngineLaunch,
  exited: Promise<EngineExit>,
  exitInfo: () => EngineExit | undefined,
  readLogTail: () => string
): Promise<void> {
  const deadline = Date.now() + launch.startTimeoutMs;
  let lastProblem = 'no answer yet';
  for (;;) {
    const exit = exitInfo();
    if (exit !== undefined) throw engineErrors.exitedEarly(launch.name, describeExit(exit), readLogTail());
    try {
      await launch.healthCheck();
      return;
    } catch (error) {
      if (error instanceof EngineError) throw error;
      lastProblem = (error as Error).message;
    }
    if (Date.now() >= deadline) {
      throw engineErrors.startTimeout(launch.name, launch.url, launch.startTimeoutMs / 1000, lastProblem, readLogTail());
    }
    // Wake early when the process dies so its log is reported at once.
    await Promise.race([exited, delay(POLL_INTERVAL_MS)]);
  }
}

async function stopProcess(
  hasExited: () => boolean,
  kill: (signal: NodeJS.Signals) => boolean,
  exited: Promise<EngineExit>,
  graceMs: number
): Promise<void> {
  if (hasExited()) return;
  kill('SIGTERM');
  const graceful = await Promise.race([exited.then(() => true), delay(graceMs).then(() => false)]);
  if (!graceful) {
    kill('SIGKILL');
    await exited;
  }
}

function tailOf(file: string, fromByte: number): string {
  try {
    const text = readFileSync(file).subarray(fromByte).toString('utf8');
    return text.split('\n').slice(-LOG_TAIL_LINES - 1).join('\n');
  } catch {
    return '';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
