import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AGENT_NODE_FLAGS, agentEnvironment } from '../agent/agent-environment.ts';

const AGENT_MAIN = fileURLToPath(new URL('../agent/agent-main.ts', import.meta.url));

export interface LocalAgent {
  readonly pid: number;
  /** Settles when the process ends, with its exit code (or the signal that ended it). */
  readonly exited: Promise<string>;
  stop(): void;
}

/**
 * Starts agent processes on this host. They join over HTTP like agents on other hosts, so the
 * controller has one code path; only their lifetime is tied to ours.
 */
export function startLocalAgents(count: number, controllerUrl: string): LocalAgent[] {
  return Array.from({ length: count }, () => startLocalAgent(controllerUrl));
}

function startLocalAgent(controllerUrl: string): LocalAgent {
  // Own process group: Ctrl-C reaches the controller alone, which stops the agents in order and
  // still collects their counts. An agent whose controller dies exits on its own after 30 s.
  const child: ChildProcess = spawn(process.execPath, [...AGENT_NODE_FLAGS, AGENT_MAIN, '--controller', controllerUrl], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: agentEnvironment(),
    detached: true
  });
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal === null ? `exit code ${code}` : `signal ${signal}`));
    child.once('error', (error) => resolve(error.message));
  });
  return {
    pid: child.pid ?? -1,
    exited,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
  };
}
