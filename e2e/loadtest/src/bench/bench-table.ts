import { ackedPerCpuSecond, type ClientRun } from './client-run.ts';

// The benchmark's result as one Markdown table (it goes into docs/benchmarks.md as printed)
// and the two targets for the agent checked against it.

/** Issue 5: at most 2.5 KB (taken as KiB, the stricter reading) of agent memory per connected device. */
export const TARGET_BYTES_PER_CONNECTION = 2.5 * 1024;
/** Issue 5: at least five times Tsung's acknowledged publishes per CPU-second. */
export const TARGET_THROUGHPUT_RATIO = 5;

const integer = (value: number): string => Math.round(value).toLocaleString('en-US');
const mebibytes = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const seconds = (ms: number): string => (ms / 1000).toFixed(1);

export function benchTable(runs: readonly ClientRun[]): string {
  const ours = runs.find((run) => run.client.startsWith('Plexus'));
  const tsung = runs.find((run) => run.client.startsWith('Tsung'));
  const header = [
    '| client | connections | RSS at rest (MiB) | RSS idle (MiB) | bytes per idle connection | publishes acked | client CPU (s) | wall (s) | acked per CPU-second | broker CPU while publishing | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|'
  ];
  const rows = runs.map((run) => {
    const { measured } = run;
    const errors = Object.entries(run.errors).map(([kind, count]) => `${kind}: ${count}`).join(', ') || 'none';
    return `| ${run.client} | ${integer(run.connections)} | ${mebibytes(measured.restRssBytes)} | ${mebibytes(measured.idleRssBytes)} | ${integer(measured.bytesPerIdleConnection)} | ${integer(run.publishesAcked)} | ${seconds(measured.publishCpuMs)} | ${seconds(measured.publishWallMs)} | ${integer(ackedPerCpuSecond(run))} | ${Math.round((measured.brokerPublishCpuMs / measured.publishWallMs) * 100)} % | ${errors} |`;
  });
  const lines = [...header, ...rows];
  if (ours && tsung) lines.push('', ...comparison(ours, tsung));
  else if (ours) lines.push('', memoryVerdict(ours));
  return lines.join('\n');
}

function memoryVerdict(ours: ClientRun): string {
  const bytes = ours.measured.bytesPerIdleConnection;
  return `- agent memory per idle connection: ${integer(bytes)} bytes, target ≤ ${integer(TARGET_BYTES_PER_CONNECTION)}: ${bytes <= TARGET_BYTES_PER_CONNECTION ? 'met' : 'missed'}`;
}

function comparison(ours: ClientRun, tsung: ClientRun): string[] {
  const throughput = ackedPerCpuSecond(ours) / ackedPerCpuSecond(tsung);
  const memory = tsung.measured.bytesPerIdleConnection / ours.measured.bytesPerIdleConnection;
  return [
    `- ours/Tsung, acknowledged publishes per CPU-second: ${throughput.toFixed(1)}× (target ≥ ${TARGET_THROUGHPUT_RATIO}×: ${throughput >= TARGET_THROUGHPUT_RATIO ? 'met' : 'missed'})`,
    `- Tsung/ours, bytes per idle connection: ${memory.toFixed(1)}× less memory per connection for the agent`,
    memoryVerdict(ours)
  ];
}
