import { resolve } from 'node:path';
import { adminKeyOfRunningPlatform, detectRunningPlatform, gatewayWorkersFor, platformUrls, portsFromEnv, startPlatform } from '../platform/platform-launcher.ts';
import { controllerErrors } from './errors.ts';
import type { RunOptions } from './run-options.ts';

export interface AttachedPlatform {
  readonly controlPlaneUrl: string;
  readonly dataPlaneUrl: string;
  readonly mqttUrl: string;
  readonly adminKey: string;
  readonly target: { controlPlane: string; dataPlane: string; mqtt: string; startedByRun: boolean };
  /** The process every platform process descends from, when this run started it. */
  readonly rootPid: number | undefined;
  /** Stops the platform if this run started it. */
  release(): Promise<void>;
}

/**
 * The platform a run loads: the `--target` URLs, else one already running where `./plexus start`
 * would put it (its default ports, or the ones the same variables move it to), else one this run
 * starts on its embedded defaults, with gateway workers sized for the fleet.
 */
export async function attachPlatform(options: RunOptions, root: string, devices: number, log: (line: string) => void): Promise<AttachedPlatform> {
  if (options.target !== undefined) {
    if (options.adminKey === undefined) throw controllerErrors.badOption('--admin-key', 'a --target platform needs its admin key (--admin-key or PLEXUS_ADMIN_KEY)');
    log(`platform: using ${options.target.controlPlane}, ${options.target.dataPlane}, ${options.target.mqtt}`);
    return external(options.target, options.adminKey);
  }
  const urls = platformUrls(portsFromEnv(process.env));
  if (await detectRunningPlatform(urls)) {
    log(`platform: using the one already running at ${urls.controlPlane}`);
    return external(urls, options.adminKey ?? adminKeyOfRunningPlatform(root, process.env));
  }
  const gatewayWorkers = gatewayWorkersFor(devices);
  const dataDir = resolve(root, process.env['PLEXUS_DATA_DIR'] || '.data');
  log(`platform: starting it on its embedded defaults (${gatewayWorkers} gateway worker${gatewayWorkers === 1 ? '' : 's'}, data in ${dataDir})`);
  const started = await startPlatform({ root, dataDir, gatewayWorkers, env: process.env });
  return {
    controlPlaneUrl: started.urls.controlPlane,
    dataPlaneUrl: started.urls.dataPlane,
    mqttUrl: started.urls.mqtt,
    adminKey: started.adminKey,
    target: { controlPlane: started.urls.controlPlane, dataPlane: started.urls.dataPlane, mqtt: started.urls.mqtt, startedByRun: true },
    rootPid: started.pid,
    release: () => started.stop()
  };
}

function external(target: { controlPlane: string; dataPlane: string; mqtt: string }, adminKey: string): AttachedPlatform {
  return {
    controlPlaneUrl: target.controlPlane,
    dataPlaneUrl: target.dataPlane,
    mqttUrl: target.mqtt,
    adminKey,
    target: { controlPlane: target.controlPlane, dataPlane: target.dataPlane, mqtt: target.mqtt, startedByRun: false },
    rootPid: undefined,
    release: async () => undefined
  };
}
