import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { DeviceShadow, ShadowChange, ShadowStore } from '../shadow-store.ts';
import { applyShadowChange } from '../shadow-update.ts';

export interface LmdbShadowStoreOptions {
  /** Directory the store's files live in (created if missing). */
  readonly directory: string;
}

/**
 * The embedded ShadowStore, on LMDB (`shadows.mdb`: [tenant, device] → DeviceShadow). Each
 * update reads, checks the version and writes inside one write transaction; LMDB runs write
 * transactions one at a time, which is what makes the check-and-set atomic.
 */
export class LmdbShadowStore implements ShadowStore {
  readonly #root: RootDatabase;
  readonly #shadows: Database<DeviceShadow, [string, string]>;

  constructor(options: LmdbShadowStoreOptions) {
    this.#root = open({ path: join(options.directory, 'shadows.mdb'), noSync: true });
    this.#shadows = this.#root.openDB({ name: 'shadows' });
  }

  async get(tenantId: string, deviceId: string): Promise<DeviceShadow | null> {
    return this.#shadows.get([tenantId, deviceId]) ?? null;
  }

  update(tenantId: string, deviceId: string, change: ShadowChange, at: number, expectedVersion?: number): Promise<DeviceShadow> {
    return this.#root.transaction(() => {
      const current = this.#shadows.get([tenantId, deviceId]) ?? null;
      const next = applyShadowChange(tenantId, deviceId, current, change, at, expectedVersion);
      if (next !== current) this.#shadows.put([tenantId, deviceId], next);
      return next;
    });
  }

  async delete(tenantId: string, deviceId: string): Promise<void> {
    await this.#shadows.remove([tenantId, deviceId]);
  }

  async close(): Promise<void> {
    await this.#root.close();
  }
}
