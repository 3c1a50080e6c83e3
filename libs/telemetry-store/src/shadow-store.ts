/** A JSON object; `null` as a value in an update deletes that key. */
export type ShadowDocument = { readonly [key: string]: unknown };

/** When each leaf of `desired` and `reported` last changed, in the same shape: `{ "temp": { "timestamp": 1700000000000 } }`. */
export type ShadowMetadata = { readonly [key: string]: unknown };

export interface DeviceShadow {
  readonly tenantId: string;
  readonly deviceId: string;
  readonly desired: ShadowDocument;
  readonly reported: ShadowDocument;
  /** What `desired` asks for that `reported` does not have (computed, see `computeDelta`). */
  readonly delta: ShadowDocument;
  readonly metadata: { readonly desired: ShadowMetadata; readonly reported: ShadowMetadata };
  /** Starts at 1 with the first update; +1 on every update that changed something. */
  readonly version: number;
  /** Epoch ms of the last change. */
  readonly updatedAt: number;
}

export interface ShadowChange {
  /** Merged into `desired` (JSON merge patch: objects merge, `null` deletes, arrays and scalars replace). */
  readonly desired?: ShadowDocument;
  readonly reported?: ShadowDocument;
}

/**
 * Device shadows. Updates are check-and-set: with `expectedVersion`, an update to a shadow at
 * another version fails with PLX_SHADOW_VERSION_CONFLICT (409) and changes nothing; a missing
 * shadow is at version 0. An update that changes nothing does not bump the version (so a
 * replayed reported update is harmless). `applyShadowChange` holds these semantics for every
 * adapter; metadata stamps only the leaves whose value changed.
 */
export interface ShadowStore {
  get(tenantId: string, deviceId: string): Promise<DeviceShadow | null>;
  update(tenantId: string, deviceId: string, change: ShadowChange, at: number, expectedVersion?: number): Promise<DeviceShadow>;
  delete(tenantId: string, deviceId: string): Promise<void>;
  close(): Promise<void>;
}
