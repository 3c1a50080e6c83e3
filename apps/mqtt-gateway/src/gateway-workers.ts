import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from '@plexus/observability';
import type { GatewayConfig } from './config.ts';
import { operationsServer } from './operations-server.ts';

// The primary of a multi-process gateway holds no MQTT connection: each worker binds the MQTT
// port itself (reusePort) and the kernel spreads connections, so the primary is never in the
// data path. It restarts workers that die, serves the host's summed metrics and readiness, and
// drains the workers on SIGTERM.

/** Sent by a worker once its listeners are bound. */
export const WORKER_READY = 'plexus.gateway.ready';
const RESTART_DELAY_MS = 1000;

export interface GatewayWorkers {
  readonly metricsPort: number;
  /** Drains every worker (SIGTERM), waits for them to exit, closes the metrics listener. */
  stop(): Promise<void>;
}

export async function startGatewayWorkers(config: GatewayConfig, log: Logger): Promise<GatewayWorkers> {
  const ready = new Set<Worker>();
  let stopping = false;

  // Idle connections are the workers' main cost. A connect storm grows V8's young generation to
  // its maximum and it stays grown while the connections idle: several KB per connection at ~17k
  // connections a worker with V8's default (docs/benchmarks.md). A small maximum costs some CPU
  // under load (more scavenges), measured there too.
  cluster.setupPrimary({ execArgv: [...process.execArgv, `--max-semi-space-size=${config.MQTT_WORKER_SEMI_SPACE_MB}`] });
  const fork = (index: number): Worker => {
    const worker = cluster.fork({ PLEXUS_GATEWAY_WORKER_INDEX: String(index) });
    worker.on('message', (message: unknown) => {
      if (message === WORKER_READY) ready.add(worker);
    });
    worker.on('exit', (code, signal) => {
      ready.delete(worker);
      if (stopping) return;
      log.error({ worker: index, code, signal }, 'gateway worker died; restarting it');
      setTimeout(() => {
        if (!stopping) fork(index);
      }, RESTART_DELAY_MS).unref();
    });
    return worker;
  };

  const firstStart = Array.from({ length: config.MQTT_WORKERS }, (_, index) => {
    const worker = fork(index);
    return new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if (message !== WORKER_READY) return;
        worker.off('exit', onExit);
        resolve();
      };
      const onExit = (code: number | null) => reject(new Error(`gateway worker ${index} exited with code ${code} before it was ready`));
      worker.on('message', onMessage);
      worker.once('exit', onExit);
    });
  });
  await Promise.all(firstStart);

  const metrics = new AggregatorRegistry();
  const operations = operationsServer(
    { metrics: () => metrics.clusterMetrics(), contentType: metrics.contentType },
    () => !stopping && ready.size === config.MQTT_WORKERS
  );
  const metricsPort = await new Promise<number>((resolve, reject) => {
    operations.once('error', reject);
    operations.listen(config.GATEWAY_METRICS_PORT, config.MQTT_HOST, () => resolve((operations.address() as AddressInfo).port));
  });
  log.info({ workers: config.MQTT_WORKERS, mqttPort: config.MQTT_PORT, metricsPort }, 'MQTT gateway workers listening');

  return {
    metricsPort,
    async stop() {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.isDead()) return resolve();
              worker.once('exit', () => resolve());
              worker.process.kill('SIGTERM');
            })
        )
      );
      await new Promise<void>((resolve) => operations.close(() => resolve()));
    }
  };
}
