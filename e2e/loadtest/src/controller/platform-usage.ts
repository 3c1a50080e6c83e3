import { ProcessTreeUsage, type ProcessUsageSummary } from '../platform/process-usage.ts';

const SAMPLE_INTERVAL_MS = 2000;

export interface PlatformProcessSummary extends ProcessUsageSummary {
  /** Gateway only: the RSS its processes gained from the first sample to their peaks, per connection at the run's peak. */
  readonly bytesPerConnection: number | null;
}

/**
 * The platform's processes sampled from /proc every 2 s over a run. The first sample of each
 * process is its baseline, so the gateway's memory per connection can be reported.
 */
export class PlatformUsage {
  #usage: ProcessTreeUsage | undefined;
  readonly #baselineRss = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;

  start(rootPid: number | undefined): void {
    if (rootPid === undefined) return;
    const usage = new ProcessTreeUsage([rootPid]);
    this.#usage = usage;
    const sample = (): void => {
      for (const process of usage.sample()) if (!this.#baselineRss.has(process.pid)) this.#baselineRss.set(process.pid, process.rssBytes);
    };
    sample();
    this.#timer = setInterval(sample, SAMPLE_INTERVAL_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One entry per process; the gateway's primary (`mqtt-gateway`) carries the growth of all its workers per connection. */
  summary(peakConnected: number): PlatformProcessSummary[] {
    const processes = this.#usage?.summary() ?? [];
    const gatewayGrowth = processes
      .filter((process) => process.name.startsWith('mqtt-gateway'))
      .reduce((sum, process) => sum + process.peakRssBytes - (this.#baselineRss.get(process.usage.pid) ?? process.peakRssBytes), 0);
    return processes.map((process) => ({
      ...process,
      bytesPerConnection: process.name === 'mqtt-gateway' && peakConnected > 0 ? Math.round(gatewayGrowth / peakConnected) : null
    }));
  }
}
