import { loadConfigOrExit } from '@plexus/config';
import { isPlexusError } from '@plexus/errors';
import { createLogger } from '@plexus/observability';
import { loadGatewayConfig } from './config.ts';
import { startGateway } from './start-gateway.ts';

const SHUTDOWN_DEADLINE_MS = 20_000;

async function main(): Promise<void> {
  const config = loadConfigOrExit('mqtt-gateway', loadGatewayConfig);
  const log = createLogger('mqtt-gateway', config.LOG_LEVEL);
  const gateway = await startGateway(config, log);

  // SIGTERM drains: stop accepting, close sessions, let the producer deliver what it holds
  // (everything acknowledged is already durable; what is not will be resent by its device).
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining');
    setTimeout(() => {
      log.error('drain deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    gateway.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'drain failed');
        process.exit(1);
      }
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`mqtt-gateway: ${isPlexusError(error) || error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
