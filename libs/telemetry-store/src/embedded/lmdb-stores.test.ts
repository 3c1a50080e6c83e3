import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { shadowStoreContract, timeSeriesStoreContract } from '../test-support.ts';
import { LmdbShadowStore } from './lmdb-shadow-store.ts';
import { LmdbTimeSeriesStore } from './lmdb-time-series-store.ts';

const directory = mkdtempSync(join(tmpdir(), 'lmdb-stores-contract-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

timeSeriesStoreContract('embedded LMDB', () => new LmdbTimeSeriesStore({ directory, purgeIntervalMs: 500 }));
shadowStoreContract('embedded LMDB', () => new LmdbShadowStore({ directory }));
