import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// What the benchmark reads about a process from /proc, the same way for the agent, Tsung's
// Erlang VM and mosquitto, so neither client is measured by its own account of itself.

const CLOCK_TICKS_PER_SEC = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User + system CPU time of a process so far, in ms; null once it has gone. */
export function cpuMs(pid: number): number | null {
  const stat = readOrNull(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5) are utime and stime; index 0 here is field 3.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SEC;
}

/** Resident set size in bytes; null once the process has gone. */
export function rssBytes(pid: number): number | null {
  const status = readOrNull(`/proc/${pid}/status`);
  const match = status === null ? null : /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

/** Bytes the process has read from files and sockets so far (`rchar` of /proc/PID/io). */
export function bytesRead(pid: number): number | null {
  const io = readOrNull(`/proc/${pid}/io`);
  const match = io === null ? null : /^rchar:\s+(\d+)$/m.exec(io);
  return match ? Number(match[1]) : null;
}

/** Open file descriptors of the process; a broker holds one per client connection. */
export function openFiles(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

/** The process ids whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const children = readOrNull(`/proc/${pid}/task/${pid}/children`);
  return children === null ? [] : children.split(' ').filter((word) => word !== '').map(Number);
}

/** The first process named `name` (its /proc comm) in the tree under `pid`, searched breadth first. */
export function descendantNamed(pid: number, name: string): number | null {
  const queue = childrenOf(pid);
  while (queue.length > 0) {
    const candidate = queue.shift() as number;
    if (readOrNull(`/proc/${candidate}/comm`)?.trim() === name) return candidate;
    queue.push(...childrenOf(candidate));
  }
  return null;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
