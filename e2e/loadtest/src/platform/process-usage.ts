import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ProcessUsage } from '../contracts/agent-protocol.ts';

// CPU and memory of the processes under test, read from /proc (Linux): the platform is a tree of
// processes (`plexus start`, its engines, the planes, the gateway's primary and workers), and so is
// a set of local agents under the controller.

/** USER_HZ: /proc reports CPU time in clock ticks, 100 a second on every Linux ABI Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessSample {
  readonly pid: number;
  readonly ppid: number;
  /** What the process is, from its command line: `control-plane`, `mqtt-gateway worker 2`, `redis-server`… */
  readonly name: string;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
  readonly rssBytes: number;
}

export interface ProcessStat {
  readonly ppid: number;
  readonly cpuUserMs: number;
  readonly cpuSystemMs: number;
}

/** The fields of /proc/<pid>/stat this module uses. */
export function parseProcessStat(text: string): ProcessStat {
  // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are fixed.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticksToMs = (field: string | undefined) => (Number(field) * 1000) / CLOCK_TICKS_PER_SECOND;
  return { ppid: Number(fields[1]), cpuUserMs: ticksToMs(fields[11]), cpuSystemMs: ticksToMs(fields[12]) };
}

/** VmRSS of /proc/<pid>/status in bytes; 0 for a process without one (a zombie). */
export function parseResidentBytes(statusText: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  return match === null ? 0 : Number(match[1]) * 1024;
}

/**
 * A name for a process from its argv (/proc/<pid>/cmdline, NUL-separated): the Plexus app a Node
 * process runs, the engine, or else the script's or program's base name. `parentName` tells a
 * cluster worker from its primary: workers run the same command line as the process that forked them.
 */
export function processNameOf(cmdline: string, parentName: string | undefined): string {
  const argv = cmdline.split('\0').filter((argument) => argument !== '');
  const joined = argv.join(' ');
  const app = /\/apps\/([a-z0-9-]+)\/src\/main\.ts/.exec(joined)?.[1];
  if (app !== undefined) return parentName === app || parentName?.startsWith(`${app} worker`) ? `${app} worker` : app;
  if (joined.includes('kinesalite')) return 'kinesalite';
  if (joined.includes('tools/platform/src/main.ts')) return 'plexus start';
  // redis-server rewrites its argv to one string such as "redis-server 127.0.0.1:6379".
  const program = basename((argv[0] ?? '').split(' ')[0] ?? '');
  if (program === 'ferretdb-embedded') return 'ferretdb';
  const script = argv.slice(1).find((argument) => /\.(ts|js|mjs)$/.test(argument));
  if ((program === 'node' || program.startsWith('node')) && script !== undefined) return basename(script).replace(/\.(ts|js|mjs)$/, '');
  return program;
}

/** The process `rootPid` and every descendant alive now, each with its CPU so far and its RSS. */
export function sampleProcessTree(rootPid: number): ProcessSample[] {
  const stats = new Map<number, ProcessStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const text = readIfAlive(`/proc/${entry}/stat`);
    if (text !== undefined) stats.set(Number(entry), parseProcessStat(text));
  }
  const children = new Map<number, number[]>();
  for (const [pid, stat] of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);

  const samples: ProcessSample[] = [];
  const names = new Map<number, string>();
  const queue = stats.has(rootPid) ? [rootPid] : [];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    const stat = stats.get(pid) as ProcessStat;
    const cmdline = readIfAlive(`/proc/${pid}/cmdline`);
    const status = readIfAlive(`/proc/${pid}/status`);
    if (cmdline === undefined || status === undefined) continue;
    const name = processNameOf(cmdline, names.get(stat.ppid));
    names.set(pid, name);
    samples.push({ pid, ppid: stat.ppid, name, cpuUserMs: stat.cpuUserMs, cpuSystemMs: stat.cpuSystemMs, rssBytes: parseResidentBytes(status) });
    queue.push(...(children.get(pid) ?? []).sort((a, b) => a - b));
  }
  return numberNamesakes(samples);
}

/** `mqtt-gateway worker` ×3 become `mqtt-gateway worker 1` to `3`, in pid order. */
function numberNamesakes(samples: ProcessSample[]): ProcessSample[] {
  const counts = new Map<string, number>();
  for (const sample of samples) counts.set(sample.name, (counts.get(sample.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  return [...samples]
    .sort((a, b) => a.pid - b.pid)
    .map((sample) => {
      if ((counts.get(sample.name) ?? 0) < 2) return sample;
      const index = (seen.get(sample.name) ?? 0) + 1;
      seen.set(sample.name, index);
      return { ...sample, name: `${sample.name} ${index}` };
    });
}

function readIfAlive(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    // The process ended between listing /proc and reading it.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return undefined;
    throw error;
  }
}

export interface ProcessUsageSummary {
  readonly name: string;
  /** CPU used since the process was first sampled (processes present at the first sample) or since it started. */
  readonly usage: ProcessUsage;
  readonly peakRssBytes: number;
}

/**
 * Samples process trees over a run and keeps, per process, its CPU over the run and its peak RSS.
 * Processes alive at the first sample are measured from there (an already-running platform's
 * earlier CPU is not the run's); processes that appear later are measured from their start.
 */
export class ProcessTreeUsage {
  readonly #rootPids: readonly number[];
  readonly #baseline = new Map<number, { cpuUserMs: number; cpuSystemMs: number }>();
  readonly #latest = new Map<number, ProcessSample>();
  readonly #peakRss = new Map<number, number>();
  #sampled = false;

  constructor(rootPids: readonly number[]) {
    this.#rootPids = rootPids;
  }

  sample(): ProcessSample[] {
    const samples = this.#rootPids.flatMap((pid) => sampleProcessTree(pid));
    for (const sample of samples) {
      if (!this.#sampled) this.#baseline.set(sample.pid, { cpuUserMs: sample.cpuUserMs, cpuSystemMs: sample.cpuSystemMs });
      this.#latest.set(sample.pid, sample);
      this.#peakRss.set(sample.pid, Math.max(this.#peakRss.get(sample.pid) ?? 0, sample.rssBytes));
    }
    this.#sampled = true;
    return samples;
  }

  /** One entry per process ever sampled, in pid order; an ended process keeps its last sample. */
  summary(): ProcessUsageSummary[] {
    return [...this.#latest.values()]
      .sort((a, b) => a.pid - b.pid)
      .map((sample) => {
        const baseline = this.#baseline.get(sample.pid) ?? { cpuUserMs: 0, cpuSystemMs: 0 };
        return {
          name: sample.name,
          usage: {
            pid: sample.pid,
            cpuUserMs: sample.cpuUserMs - baseline.cpuUserMs,
            cpuSystemMs: sample.cpuSystemMs - baseline.cpuSystemMs,
            rssBytes: sample.rssBytes,
            // Heap sizes are known only inside a Node process; /proc does not show them.
            heapUsedBytes: 0
          },
          peakRssBytes: this.#peakRss.get(sample.pid) ?? sample.rssBytes
        };
      });
  }
}
