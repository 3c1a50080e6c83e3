export interface EngineStartOptions {
  /** Loopback by default: local engines are never meant to be reachable from the network. */
  host?: string;
  port: number;
  /** Created when missing; holds the engine's files across restarts. */
  dataDir: string;
  /** Where the engine's stdout and stderr go; defaults to `<dataDir>.log` beside the data. */
  logFile?: string;
  startTimeoutMs?: number;
}

export const DEFAULT_HOST = '127.0.0.1';

export function defaultLogFile(dataDir: string): string {
  return `${dataDir.replace(/\/+$/, '')}.log`;
}
