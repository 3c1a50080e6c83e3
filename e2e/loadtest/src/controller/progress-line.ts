import type { RunSnapshot } from '../contracts/report.ts';

const count = (value: number): string => value.toLocaleString('en-US');

function duration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  return minutes === 0 ? `${whole}s` : `${minutes}m${String(whole % 60).padStart(2, '0')}s`;
}

/** One line for the terminal: where the run is, how many are connected, how fast, how long to go. */
export function progressLine(snapshot: RunSnapshot): string {
  const last = snapshot.series.at(-1);
  const errors = Object.values(snapshot.errors).reduce((sum, value) => sum + value, 0);
  const parts = [
    `[${duration(snapshot.elapsedSec)} ${snapshot.state}${snapshot.state === 'running' ? `/${snapshot.phase === 'done' ? 'sessions' : snapshot.phase}` : ''}]`,
    `connected ${count(snapshot.connected)}/${count(snapshot.devices)}`,
    `connects ${count(last?.connectRate ?? 0)}/s`,
    `publishes ${count(last?.publishRate ?? 0)}/s`,
    `acked ${count(snapshot.acked)}`,
    `ack p99 ${snapshot.ackLatencyMs.p99} ms`,
    `errors ${count(errors)}`
  ];
  if (snapshot.etaSec !== null) parts.push(`ETA ${duration(snapshot.etaSec)}`);
  return parts.join('  ');
}
