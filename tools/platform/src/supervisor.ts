import { describeExit, type EngineExit } from '@plexus/engines';
import type { RunningService, ServiceDefinition } from './service.ts';

export interface UnexpectedExit {
  readonly service: RunningService;
  readonly exit: EngineExit;
}

/**
 * Starts services in order and stops them in reverse (apps before the engines they use). A
 * service that ends while nobody asked it to is reported through `unexpectedExit`.
 */
export class Supervisor {
  readonly unexpectedExit: Promise<UnexpectedExit>;
  private readonly running: RunningService[] = [];
  private reportUnexpectedExit: (event: UnexpectedExit) => void = () => {};
  private stopping: Promise<void> | undefined;

  constructor() {
    this.unexpectedExit = new Promise((resolve) => {
      this.reportUnexpectedExit = resolve;
    });
  }

  get services(): readonly RunningService[] {
    return this.running;
  }

  /** Starts each definition in turn; returns early (having started nothing more) once stopping. */
  async startAll(definitions: readonly ServiceDefinition[]): Promise<void> {
    for (const definition of definitions) {
      if (this.stopping !== undefined) return;
      const service = await definition.start();
      this.running.push(service);
      void service.exited.then((exit) => {
        if (this.stopping === undefined) this.reportUnexpectedExit({ service, exit });
      });
      // A stop requested while this service was starting did not see it; stop it now.
      if (this.stopping !== undefined) await service.stop();
    }
  }

  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      for (const service of [...this.running].reverse()) await service.stop();
    })();
    return this.stopping;
  }
}

export function describeUnexpectedExit({ service, exit }: UnexpectedExit): string {
  return `${service.name} stopped unexpectedly (${describeExit(exit)})`;
}
