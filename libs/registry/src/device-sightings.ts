import type { DeviceSighting } from '@plexus/contracts';
import { mapConcurrently } from './concurrency.ts';
import type { RegistryContext } from './context.ts';
import { tenantKey } from './documents.ts';

const WRITE_CONCURRENCY = 32;

/**
 * Moves each device's `lastSeen` forward to the latest sighting in the batch. One primary-key
 * update per device; `$max` never moves it back when reports from several gateways cross.
 */
export async function recordSightings(ctx: RegistryContext, sightings: readonly DeviceSighting[]): Promise<number> {
  const latest = new Map<string, number>();
  for (const { tenantId, deviceId, at } of sightings) {
    const key = tenantKey(tenantId, deviceId);
    latest.set(key, Math.max(latest.get(key) ?? 0, at));
  }
  const outcomes = await mapConcurrently([...latest], WRITE_CONCURRENCY, ([key, at]) =>
    ctx.collections.devices.updateOne({ _id: key }, { $max: { lastSeen: new Date(at) } })
  );
  return outcomes.filter((outcome) => outcome.modifiedCount > 0).length;
}
