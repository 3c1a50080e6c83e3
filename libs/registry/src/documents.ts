import type { Collection, Db } from 'mongodb';
import type { DeviceStatus, GroupQuery, Scope, TenantStatus } from '@plexus/contracts';

// Records that belong to a tenant are keyed `${tenantId}/${localId}`: the primary key enforces
// per-tenant uniqueness, a tenant's records form one contiguous `_id` range for cursor paging,
// and every point read or write filters on `_id` alone, the one predicate that every
// MongoDB-wire engine (FerretDB's SQLite backend included) answers from an index.

export interface TenantDocument {
  _id: string;
  name: string;
  status: TenantStatus;
  createdAt: Date;
  suspendedAt: Date | null;
  /** Absent or null: the data plane's default. */
  telemetryRetentionDays?: number | null;
}

export interface ApiKeyDocument {
  _id: string;
  tenantId: string | null;
  name: string;
  scopes: Scope[];
  hash: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface DeviceTypeDocument {
  _id: string;
  tenantId: string;
  name: string;
  description: string;
  telemetrySchema: Record<string, unknown> | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A device token; `kind` is absent so the million token entries written in bulk stay lean. */
export interface TokenCredentialEntry {
  id: string;
  kind?: undefined;
  hash: string;
  createdAt: Date;
  /** Absent: the credential does not expire. */
  expiresAt?: Date;
}

/** A client certificate the device presents over TLS, known by its SHA-256 fingerprint. */
export interface CertificateCredentialEntry {
  id: string;
  kind: 'x509';
  /** Upper-case hex pairs joined by colons (`CertificateFingerprint`). */
  fingerprint: string;
  createdAt: Date;
  /** The certificate's validity end when it was registered as PEM; absent otherwise. */
  expiresAt?: Date;
}

export type CredentialEntry = TokenCredentialEntry | CertificateCredentialEntry;

/**
 * Which device a client certificate belongs to, keyed by its fingerprint so that CONNECT finds
 * the tenant and device with one `_id` read. The device's credential entry is the truth: a
 * mapping whose entry is gone (revoked, device deleted) authenticates nothing and may be replaced.
 */
export interface DeviceCertificateDocument {
  _id: string;
  tenantId: string;
  deviceId: string;
  credentialId: string;
  createdAt: Date;
}

/**
 * A device stores only what is set, because a million of them are written in one go and the
 * embedded engine's cost grows with every field (a lean document inserts 40% faster there).
 * Absent fields read as defaults: name = the device id, no type, no tags, no attributes, no
 * groups, never seen, updated when created. The tenant and device ids are the two parts of `_id`.
 */
export interface DeviceDocument {
  _id: string;
  name?: string;
  type?: string;
  tags?: string[];
  attributes?: Record<string, unknown>;
  status: DeviceStatus;
  groups?: string[];
  credentials: CredentialEntry[];
  createdAt: Date;
  updatedAt?: Date;
  lastSeen?: Date;
}

export interface GroupDocument {
  _id: string;
  tenantId: string;
  groupId: string;
  name: string;
  kind: 'static' | 'dynamic';
  query: GroupQuery | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ClaimTokenDocument {
  _id: string;
  tenantId: string;
  hash: string;
  deviceType: string;
  tags: string[];
  maxUses: number;
  /** Where the next use-slot search starts; a hint, the slots themselves are the truth. */
  nextSlot: number;
  expiresAt: Date;
  createdAt: Date;
  revokedAt: Date | null;
}

/** One use of a claim token: `_id` = `${claimTokenId}#${slot}`, slot in [0, maxUses). */
export interface ClaimTokenUseDocument {
  _id: string;
  claimTokenId: string;
  tenantId: string;
  deviceId: string;
  usedAt: Date;
}

export interface SigningKeyDocument {
  _id: string;
  tenantId: string;
  name: string;
  publicKeyPem: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface RegistryCollections {
  tenants: Collection<TenantDocument>;
  apiKeys: Collection<ApiKeyDocument>;
  deviceTypes: Collection<DeviceTypeDocument>;
  devices: Collection<DeviceDocument>;
  groups: Collection<GroupDocument>;
  claimTokens: Collection<ClaimTokenDocument>;
  claimTokenUses: Collection<ClaimTokenUseDocument>;
  signingKeys: Collection<SigningKeyDocument>;
  deviceCertificates: Collection<DeviceCertificateDocument>;
}

export function registryCollections(db: Db): RegistryCollections {
  return {
    tenants: db.collection('tenants'),
    apiKeys: db.collection('api_keys'),
    deviceTypes: db.collection('device_types'),
    devices: db.collection('devices'),
    groups: db.collection('groups'),
    claimTokens: db.collection('claim_tokens'),
    claimTokenUses: db.collection('claim_token_uses'),
    signingKeys: db.collection('signing_keys'),
    deviceCertificates: db.collection('device_certificates')
  };
}

export function tenantKey(tenantId: string, localId: string): string {
  return `${tenantId}/${localId}`;
}

/** The local id part of a tenant-scoped `_id`. */
export function localIdOf(key: string): string {
  return key.slice(key.indexOf('/') + 1);
}

/** `_id` bounds of all of a tenant's records: `/` (0x2f) sorts just before `0` (0x30). */
export function tenantRange(tenantId: string): { $gt: string; $lt: string } {
  return { $gt: `${tenantId}/`, $lt: `${tenantId}0` };
}

/**
 * Secondary indexes serve list filters and group resolution on MongoDB. FerretDB v1 plans
 * every query except `_id` equality as a scan, so there they would only slow inserts down.
 */
export async function ensureRegistryIndexes(db: Db, collections: RegistryCollections): Promise<void> {
  const buildInfo = await db.admin().command({ buildInfo: 1 });
  if ('ferretdbVersion' in buildInfo) return;
  await Promise.all([
    // Queries bound `_id` to the tenant's range, so field + `_id` indexes are tenant-scoped too.
    collections.devices.createIndex({ type: 1, _id: 1 }),
    collections.devices.createIndex({ tags: 1, _id: 1 }),
    collections.devices.createIndex({ status: 1, _id: 1 }),
    collections.devices.createIndex({ groups: 1, _id: 1 }),
    collections.apiKeys.createIndex({ tenantId: 1 }),
    collections.claimTokens.createIndex({ tenantId: 1 }),
    collections.signingKeys.createIndex({ tenantId: 1 })
  ]);
}
