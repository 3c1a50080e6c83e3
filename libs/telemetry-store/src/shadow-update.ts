import { telemetryStoreErrors } from './errors.ts';
import { computeDelta, jsonEqual, mergeShadowDocument, stampMetadata } from './shadow-document.ts';
import type { DeviceShadow, ShadowChange } from './shadow-store.ts';

/**
 * The shadow after `change`, or `current` itself when the change changes nothing. A missing
 * shadow is at version 0, so `expectedVersion: 0` means "only if it does not exist yet".
 * Throws PLX_SHADOW_VERSION_CONFLICT when `expectedVersion` is given and differs. Every adapter
 * runs this inside its own check-and-set, so all of them agree on the semantics.
 */
export function applyShadowChange(
  tenantId: string,
  deviceId: string,
  current: DeviceShadow | null,
  change: ShadowChange,
  at: number,
  expectedVersion?: number
): DeviceShadow {
  const version = current?.version ?? 0;
  if (expectedVersion !== undefined && expectedVersion !== version) {
    throw telemetryStoreErrors.shadowVersionConflict(deviceId, version, expectedVersion);
  }
  const desired = current?.desired ?? {};
  const reported = current?.reported ?? {};
  const nextDesired = change.desired ? mergeShadowDocument(desired, change.desired) : desired;
  const nextReported = change.reported ? mergeShadowDocument(reported, change.reported) : reported;
  if (current && jsonEqual(nextDesired, desired) && jsonEqual(nextReported, reported)) return current;
  return {
    tenantId,
    deviceId,
    desired: nextDesired,
    reported: nextReported,
    delta: computeDelta(nextDesired, nextReported),
    metadata: {
      desired: change.desired ? stampMetadata(current?.metadata.desired ?? {}, desired, change.desired, at) : (current?.metadata.desired ?? {}),
      reported: change.reported ? stampMetadata(current?.metadata.reported ?? {}, reported, change.reported, at) : (current?.metadata.reported ?? {})
    },
    version: version + 1,
    updatedAt: at
  };
}
