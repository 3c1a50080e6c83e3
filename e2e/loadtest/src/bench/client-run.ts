import type { PhaseMeasurement } from './measure-phases.ts';

/** What one client did in the benchmark and what it cost, as the table reports it. */
export interface ClientRun {
  readonly client: string;
  readonly connections: number;
  readonly publishesAcked: number;
  /** Error counts by kind, as the client itself reports them. */
  readonly errors: Readonly<Record<string, number>>;
  readonly measured: PhaseMeasurement;
}

export function ackedPerCpuSecond(run: ClientRun): number {
  return run.publishesAcked / (run.measured.publishCpuMs / 1000);
}
