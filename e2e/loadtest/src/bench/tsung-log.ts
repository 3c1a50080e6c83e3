// Tsung's own account of a run, from the last dump of its tsung.log: counters are written as
// `stats: <name> <count in the interval> <count since the start>`.

export interface TsungCounts {
  readonly published: number;
  readonly pubacked: number;
  readonly connected: number;
  /** Tsung's `error_*` counters, by name without the prefix. */
  readonly errors: Record<string, number>;
}

export function readTsungCounts(log: string): TsungCounts {
  const totals = new Map<string, number>();
  for (const match of log.matchAll(/^stats: (\S+) (\d+) (\d+)$/gm)) {
    totals.set(match[1] as string, Number(match[3]));
  }
  const errors: Record<string, number> = {};
  for (const [name, total] of totals) if (name.startsWith('error_')) errors[name.slice('error_'.length)] = total;
  return {
    published: totals.get('mqtt_published') ?? 0,
    pubacked: totals.get('mqtt_server_pubacked') ?? 0,
    connected: totals.get('mqtt_connected') ?? 0,
    errors
  };
}
