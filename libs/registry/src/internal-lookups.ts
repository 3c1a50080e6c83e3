import type { ApiKeyPrincipal, DeviceProfile, DeviceReference } from '@plexus/contracts';
import { findApiKeyPrincipal } from './api-keys.ts';
import type { RegistryContext } from './context.ts';
import { tenantKey } from './documents.ts';

/** Each key's principal, or null; point reads only, run side by side. */
export async function apiKeyPrincipals(ctx: RegistryContext, keys: readonly string[]): Promise<(ApiKeyPrincipal | null)[]> {
  const found = await Promise.all(keys.map((key) => findApiKeyPrincipal(ctx, key)));
  return found.map((principal) => principal && { ...principal, scopes: [...principal.scopes] });
}

/**
 * What the data plane checks a device's telemetry against. Every read is by `_id` (a device, then
 * its type once per batch), which the embedded engine answers from its index; a batch of a
 * thousand devices is a thousand point reads, never a scan.
 */
export async function deviceProfiles(ctx: RegistryContext, devices: readonly DeviceReference[]): Promise<DeviceProfile[]> {
  const schemas = new Map<string, Promise<Record<string, unknown> | null>>();
  const retentions = new Map<string, Promise<number | null>>();
  const retentionOf = (tenantId: string) => {
    let retention = retentions.get(tenantId);
    if (!retention) {
      retention = ctx.collections.tenants.findOne({ _id: tenantId }, { projection: { telemetryRetentionDays: 1 } }).then((doc) => doc?.telemetryRetentionDays ?? null);
      retentions.set(tenantId, retention);
    }
    return retention;
  };
  const schemaOf = (tenantId: string, type: string) => {
    const key = tenantKey(tenantId, type);
    let schema = schemas.get(key);
    if (!schema) {
      schema = ctx.collections.deviceTypes.findOne({ _id: key }, { projection: { telemetrySchema: 1 } }).then((doc) => doc?.telemetrySchema ?? null);
      schemas.set(key, schema);
    }
    return schema;
  };
  return Promise.all(
    devices.map(async ({ tenantId, deviceId }): Promise<DeviceProfile> => {
      const doc = await ctx.collections.devices.findOne({ _id: tenantKey(tenantId, deviceId) }, { projection: { status: 1, type: 1 } });
      if (!doc) return { tenantId, deviceId, exists: false, status: null, deviceType: null, telemetryRetentionDays: null, telemetrySchema: null };
      const deviceType = doc.type ?? null;
      return {
        tenantId,
        deviceId,
        exists: true,
        status: doc.status,
        deviceType,
        telemetryRetentionDays: await retentionOf(tenantId),
        telemetrySchema: deviceType === null ? null : await schemaOf(tenantId, deviceType)
      };
    })
  );
}
