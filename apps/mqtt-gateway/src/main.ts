import cluster from 'node:cluster';
import { loadConfigOrExit } from '@plexus/config';
import { isPlexusError } from '@plexus/errors';
import { createLogger } from '@plexus/observability';
import { loadGatewayConfig } from './config.ts';
import { startGatewayWorkers, WORKER_READY } from './gateway-workers.ts';
import { startGateway } from './start-gateway.ts';

const SHUTDOWN_DEADLINE_MS = 20_000;

interface Stoppable {
  stop(): Promise<void>;
}

async function start(): Promise<Stoppable> {
  const config = loadConfigOrExit('mqtt-gateway', loadGatewayConfig);
  if (cluster.isPrimary && config.MQTT_WORKERS > 1) {
    return startGatewayWorkers(config, createLogger('mqtt-gateway', config.LOG_LEVEL));
  }
  const worker = cluster.isWorker;
  const log = createLogger(worker ? `mqtt-gateway/${process.env['PLEXUS_GATEWAY_WORKER_INDEX'] ?? cluster.worker?.id}` : 'mqtt-gateway', config.LOG_LEVEL);
  const gateway = await startGateway(config, log, { worker });
  if (worker) process.send?.(WORKER_READY);
  return gateway;
}

async function main(): Promise<void> {
  const running = await start();
  // SIGTERM drains: stop accepting, close sessions, let the producer deliver what it holds
  // (everything acknowledged is already durable; what is not will be resent by its device).
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      console.error('mqtt-gateway: drain deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`mqtt-gateway: drain after ${signal} failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      }
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // A worker whose primary is gone has nobody to restart or stop it.
  if (cluster.isWorker) process.on('disconnect', () => stop('disconnect'));
}

main().catch((error: unknown) => {
  console.error(`mqtt-gateway: ${isPlexusError(error) || error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
