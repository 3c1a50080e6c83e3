import type { ChildProcess } from 'node:child_process';
import { isPlexusError } from '@plexus/errors';

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SupervisedChild {
  readonly pid: number;
  /** Settles when the process ends, whoever ended it; supervisors use it to notice crashes. */
  readonly exited: Promise<ChildExit>;
  /** How it ended, once it has. */
  exit(): ChildExit | undefined;
  /** SIGTERM, then SIGKILL after the grace period; safe to call more than once. */
  stop(): Promise<void>;
}

export interface ReadinessPoll {
  /** Resolves once the child serves; rejects with the reason it does not yet. */
  readonly check: () => Promise<void>;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly exitedEarly: (exit: ChildExit) => Error;
  readonly timedOut: (lastProblem: string) => Error;
}

// A safety net for crashes of the parent: children run in their own process group (so a
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

export function describeExit(exit: ChildExit): string {
  return exit.signal === null ? `exit code ${exit.code}` : `signal ${exit.signal}`;
}

/** Tracks a just-spawned child; rejects with the spawn error if it never started. */
export async function superviseChild(child: ChildProcess, stopGraceMs: number): Promise<SupervisedChild> {
  let exitInfo: ChildExit | undefined;
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      if (child.pid !== undefined) running.delete(child.pid);
      resolve(exitInfo);
    });
  });
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', reject);
  });
  running.add(pid);

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    if (exitInfo !== undefined) return;
    child.kill('SIGTERM');
    const graceful = await Promise.race([exited.then(() => true), delay(stopGraceMs).then(() => false)]);
    if (!graceful) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  return {
    pid,
    exited,
    exit: () => exitInfo,
    stop: () => (stopping ??= stop())
  };
}

/** Polls `check` until it passes; fails at once if the child exits, or at the deadline. */
export async function waitUntilReady(child: SupervisedChild, poll: ReadinessPoll): Promise<void> {
  const deadline = Date.now() + poll.timeoutMs;
  let lastProblem = 'no answer yet';
  for (;;) {
    const exit = child.exit();
    if (exit !== undefined) throw poll.exitedEarly(exit);
    try {
      await poll.check();
      return;
    } catch (error) {
      if (isPlexusError(error)) throw error;
      const cause = (error as { cause?: { code?: string } }).cause;
      lastProblem = cause?.code ?? (error as Error).message;
    }
    if (Date.now() >= deadline) throw poll.timedOut(lastProblem);
    // Wake early when the process dies so that is reported at once.
    await Promise.race([child.exited, delay(poll.intervalMs)]);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
