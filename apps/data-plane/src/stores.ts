import { isAbsolute, resolve } from 'node:path';
import { openEmbeddedStores, type ShadowStore, type TimeSeriesStore } from '@plexus/telemetry-store';
import type { DataPlaneConfig } from './config.ts';

export interface DataStores {
  readonly timeSeries: TimeSeriesStore;
  readonly shadows: ShadowStore;
  readonly kind: 'aerospike' | 'embedded';
  close(): Promise<void>;
}

/**
 * Aerospike when AEROSPIKE_HOSTS names a cluster, else the embedded store under DATA_DIR. The
 * Aerospike client (a native addon) is loaded only when it is used.
 */
export async function openDataStores(config: DataPlaneConfig): Promise<DataStores> {
  if (config.AEROSPIKE_HOSTS !== undefined) {
    const { AerospikeShadowStore, AerospikeTimeSeriesStore } = await import('@plexus/telemetry-store/aerospike');
    const options = { hosts: config.AEROSPIKE_HOSTS, namespace: config.AEROSPIKE_NAMESPACE };
    const [timeSeries, shadows] = await Promise.all([AerospikeTimeSeriesStore.connect(options), AerospikeShadowStore.connect(options)]);
    return { timeSeries, shadows, kind: 'aerospike', close: async () => void (await Promise.all([timeSeries.close(), shadows.close()])) };
  }
  const directory = isAbsolute(config.DATA_DIR) ? config.DATA_DIR : resolve(config.DATA_DIR);
  const embedded = openEmbeddedStores(directory);
  return { timeSeries: embedded.timeSeries, shadows: embedded.shadows, kind: 'embedded', close: () => embedded.close() };
}
