import { mkdirSync } from 'node:fs';
import { LmdbShadowStore } from './lmdb-shadow-store.ts';
import { LmdbTimeSeriesStore, type LmdbTimeSeriesStoreOptions } from './lmdb-time-series-store.ts';

export interface EmbeddedStores {
  readonly timeSeries: LmdbTimeSeriesStore;
  readonly shadows: LmdbShadowStore;
  close(): Promise<void>;
}

/**
 * The data plane's stores when no Aerospike cluster is configured: both on LMDB, in
 * `directory` (the data-plane app passes `.data/data-plane/`). One process opens a directory.
 */
export function openEmbeddedStores(directory: string, options: Omit<LmdbTimeSeriesStoreOptions, 'directory'> = {}): EmbeddedStores {
  mkdirSync(directory, { recursive: true });
  const timeSeries = new LmdbTimeSeriesStore({ ...options, directory });
  const shadows = new LmdbShadowStore({ directory });
  return {
    timeSeries,
    shadows,
    close: async () => {
      await Promise.all([timeSeries.close(), shadows.close()]);
    }
  };
}
