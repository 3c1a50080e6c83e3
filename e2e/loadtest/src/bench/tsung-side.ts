import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchBroker } from './bench-broker.ts';
import type { BenchShape } from './bench-shape.ts';
import type { ClientRun } from './client-run.ts';
import { benchErrors } from './errors.ts';
import { measurePhases } from './measure-phases.ts';
import { descendantNamed } from './process-probe.ts';
import { startTimeline } from './run-timeline.ts';
import { tsungBenchXml } from './tsung-bench-xml.ts';
import { readTsungCounts } from './tsung-log.ts';
import { watchChild } from './child-output.ts';

// Tsung 1.7 with its MQTT plugin on the same session. With use_controller_vm its launcher runs
// inside the controller's Erlang VM, so one beam.smp process carries every connection; -n keeps
// its web GUI off port 8091 (the load suite's dashboard), -w leaves it time to be sampled at rest.

const TSUNG = '/usr/bin/tsung';
const SAMPLE_INTERVAL_MS = 100;
const WARMUP_SEC = 3;

export async function runTsungSide(shape: BenchShape, broker: BenchBroker, limitMs: number): Promise<ClientRun> {
  if (!existsSync(TSUNG)) throw benchErrors.toolMissing(TSUNG, 'sudo apt-get install -y tsung');
  const directory = await mkdtemp(join(tmpdir(), 'plexus-bench-tsung-'));
  const xmlPath = join(directory, 'agent-vs-tsung.xml');
  await writeFile(xmlPath, tsungBenchXml(shape, broker.port));
  const child = spawn(TSUNG, ['-n', '-w', String(WARMUP_SEC), '-f', xmlPath, '-l', directory, 'start'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const { output, exited } = watchChild(child);
  let vm: number | null = null;
  const vmPid = (): number | null => (vm ??= child.pid === undefined ? null : descendantNamed(child.pid, 'beam.smp'));
  const timeline = startTimeline(vmPid, broker, SAMPLE_INTERVAL_MS);
  let timer: NodeJS.Timeout | undefined;
  try {
    const code = await Promise.race([
      exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(benchErrors.stalled('tsung', limitMs / 1000, 'the end of its run')), limitMs);
      })
    ]);
    const samples = timeline.stop();
    if (code !== 0) throw benchErrors.clientFailed('tsung', `exited with ${code}: ${output()}`);
    const counts = readTsungCounts(await readFile(await tsungLogPath(directory), 'utf8'));
    return {
      client: 'Tsung 1.7.0 (ts_mqtt)',
      connections: shape.connections,
      publishesAcked: counts.pubacked,
      errors: counts.errors,
      measured: measurePhases('tsung', samples, shape.connections, shape.settleMs)
    };
  } finally {
    clearTimeout(timer);
    timeline.stop();
    // Tsung's script, erl and beam.smp share the process group started here.
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    await rm(directory, { recursive: true, force: true });
  }
}

/** Tsung writes its log under a YYYYMMDD-HHMM directory it creates in the -l directory. */
async function tsungLogPath(directory: string): Promise<string> {
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (entry.isDirectory() && existsSync(join(directory, entry.name, 'tsung.log'))) return join(directory, entry.name, 'tsung.log');
  }
  throw benchErrors.clientFailed('tsung', `no tsung.log under ${directory}`);
}
