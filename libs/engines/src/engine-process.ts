import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeExit, superviseChild, waitUntilReady, type ChildExit, type SupervisedChild } from './child-supervision.ts';
import { engineErrors } from './errors.ts';

export type { ChildExit as EngineExit } from './child-supervision.ts';

export interface EngineHandle {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Settles when the process ends, whoever ended it; supervisors use it to notice crashes. */
  readonly exited: Promise<ChildExit>;
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

/** Starts `launch.command`, logging to `launch.logFile`, and resolves once it is healthy. */
export async function launchEngine(launch: EngineLaunch): Promise<EngineHandle> {
  mkdirSync(dirname(launch.logFile), { recursive: true });
  const logFd = openSync(launch.logFile, 'a');
  const logStart = fstatSync(logFd).size;
  const readLogTail = (): string => tailOf(launch.logFile, logStart);

  const child = spawn(launch.command, launch.args, { stdio: ['ignore', logFd, logFd], detached: true });
  closeSync(logFd);

  let supervised: SupervisedChild;
  try {
    supervised = await superviseChild(child, launch.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
  } catch (error) {
    throw engineErrors.spawnFailed(launch.name, (error as Error).message);
  }
  const handle: EngineHandle = {
    name: launch.name,
    url: launch.url,
    pid: supervised.pid,
    exited: supervised.exited,
    stop: supervised.stop
  };
  try {
    await waitUntilReady(supervised, {
      check: launch.healthCheck,
      timeoutMs: launch.startTimeoutMs,
      intervalMs: POLL_INTERVAL_MS,
      exitedEarly: (exit) => engineErrors.exitedEarly(launch.name, describeExit(exit), readLogTail()),
      timedOut: (lastProblem) => engineErrors.startTimeout(launch.name, launch.url, launch.startTimeoutMs / 1000, lastProblem, readLogTail())
    });
  } catch (error) {
    await handle.stop();
    throw error;
  }
  return handle;
}

function tailOf(file: string, fromByte: number): string {
  try {
    const text = readFileSync(file).subarray(fromByte).toString('utf8');
    return text.split('\n').slice(-LOG_TAIL_LINES - 1).join('\n');
  } catch {
    return '';
  }
}
