import type { EngineExit } from '@plexus/engines';

/** A process the platform started and watches; engine handles already have this shape. */
export interface RunningService {
  readonly name: string;
  readonly url: string;
  /** Settles when the process ends, for whatever reason. */
  readonly exited: Promise<EngineExit>;
  stop(): Promise<void>;
}

/**
 * One entry of what `./plexus start` runs, in start order (dependencies first). New planes
 * (MQTT gateway, kinesalite, data plane) join by adding an entry.
 */
export interface ServiceDefinition {
  readonly name: string;
  start(): Promise<RunningService>;
}
