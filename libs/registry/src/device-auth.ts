import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { AuthRequest, AuthResult, DenyReason } from '@plexus/contracts';
import { findApiKeyPrincipal } from './api-keys.ts';
import { mapConcurrently } from './concurrency.ts';
import type { RegistryContext } from './context.ts';
import { tenantKey, type DeviceCertificateDocument, type DeviceDocument, type TenantDocument } from './documents.ts';
import { hasScope } from './principals.ts';
import { hashesEqual, looksLikeJwt, parseDeviceToken, sha256Hex } from './secrets.ts';

// Built for connect storms: a gateway sends up to a thousand CONNECTs in one call, each
// distinct device, tenant and signing key is read once per call, and every read is a
// primary-key lookup run concurrently rather than a multi-key query that some engines scan.

const LOOKUP_CONCURRENCY = 64;
/** Device JWTs must be short-lived: a stolen one is useful for a day at most. */
const MAX_JWT_LIFETIME_SECONDS = 24 * 3600;
const JWT_CLOCK_TOLERANCE_SECONDS = 30;

const deny = (reason: DenyReason): AuthResult => ({ result: 'deny', reason });

class BatchLookups {
  private readonly devices = new Map<string, Promise<DeviceDocument | null>>();
  private readonly tenants = new Map<string, Promise<TenantDocument | null>>();
  private readonly signingKeys = new Map<string, Promise<{ tenantId: string; key: KeyObject } | null>>();
  private readonly certificates = new Map<string, Promise<DeviceCertificateDocument | null>>();
  private readonly ctx: RegistryContext;

  constructor(ctx: RegistryContext) {
    this.ctx = ctx;
  }

  device(tenantId: string, deviceId: string): Promise<DeviceDocument | null> {
    const id = tenantKey(tenantId, deviceId);
    let found = this.devices.get(id);
    if (!found) {
      found = this.ctx.collections.devices.findOne({ _id: id }, { projection: { status: 1, type: 1, credentials: 1 } });
      this.devices.set(id, found);
    }
    return found;
  }

  tenant(tenantId: string): Promise<TenantDocument | null> {
    let found = this.tenants.get(tenantId);
    if (!found) {
      found = this.ctx.collections.tenants.findOne({ _id: tenantId });
      this.tenants.set(tenantId, found);
    }
    return found;
  }

  signingKey(signingKeyId: string): Promise<{ tenantId: string; key: KeyObject } | null> {
    let found = this.signingKeys.get(signingKeyId);
    if (!found) {
      found = this.ctx.collections.signingKeys.findOne({ _id: signingKeyId }).then((doc) =>
        doc && doc.revokedAt === null ? { tenantId: doc.tenantId, key: createPublicKey(doc.publicKeyPem) } : null
      );
      this.signingKeys.set(signingKeyId, found);
    }
    return found;
  }

  certificate(fingerprint: string): Promise<DeviceCertificateDocument | null> {
    let found = this.certificates.get(fingerprint);
    if (!found) {
      found = this.ctx.collections.deviceCertificates.findOne({ _id: fingerprint });
      this.certificates.set(fingerprint, found);
    }
    return found;
  }
}

/** `match` returns the credential's expiry (epoch ms, or null for none), or false for no match. */
type CredentialMatch = (device: DeviceDocument) => number | null | false;

async function allowDevice(lookups: BatchLookups, tenantId: string, deviceId: string, match: CredentialMatch): Promise<AuthResult> {
  const [tenant, device] = await Promise.all([lookups.tenant(tenantId), lookups.device(tenantId, deviceId)]);
  const expiresAt = tenant && device ? match(device) : false;
  if (!tenant || !device || expiresAt === false) return deny('bad-credentials');
  if (tenant.status === 'suspended') return deny('tenant-suspended');
  if (device.status === 'disabled') return deny('device-disabled');
  return { result: 'allow', principal: { kind: 'device', tenantId, deviceId, deviceType: device.type ?? null, expiresAt } };
}

/** Device token: `pdt_<tenant>_<secret>`, presented with client id = device id. */
async function authenticateToken(lookups: BatchLookups, request: AuthRequest, tenantId: string, now: Date): Promise<AuthResult> {
  const hash = sha256Hex(request.password);
  return allowDevice(lookups, tenantId, request.clientId, (device) => {
    const entry = device.credentials.find((candidate) => candidate.kind === undefined && hashesEqual(candidate.hash, hash));
    if (!entry || (entry.expiresAt !== undefined && entry.expiresAt <= now)) return false;
    return entry.expiresAt?.getTime() ?? null;
  });
}

/** Device JWT: EdDSA, `kid` = a tenant signing key, `sub` = client id, `exp` within a day. */
async function authenticateJwt(lookups: BatchLookups, request: AuthRequest, now: Date): Promise<AuthResult> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(request.password).kid;
  } catch {
    return deny('bad-credentials');
  }
  if (!kid) return deny('bad-credentials');
  const signingKey = await lookups.signingKey(kid);
  if (!signingKey) return deny('bad-credentials');
  try {
    const { payload } = await jwtVerify(request.password, signingKey.key, {
      algorithms: ['EdDSA'],
      subject: request.clientId,
      requiredClaims: ['exp'],
      currentDate: now,
      clockTolerance: JWT_CLOCK_TOLERANCE_SECONDS
    });
    const exp = payload.exp as number;
    if (exp - Math.floor(now.getTime() / 1000) > MAX_JWT_LIFETIME_SECONDS) return deny('bad-credentials');
    return allowDevice(lookups, signingKey.tenantId, request.clientId, () => exp * 1000);
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return deny('bad-credentials');
    throw error;
  }
}

/** App credential: an API key with the `mqtt:subscribe` scope, presented as the password. */
async function authenticateApp(ctx: RegistryContext, request: AuthRequest): Promise<AuthResult> {
  const principal = await findApiKeyPrincipal(ctx, request.password);
  if (!principal || principal.tenantId === null) return deny('bad-credentials');
  if (principal.tenantSuspended) return deny('tenant-suspended');
  if (!hasScope(principal, 'mqtt:subscribe')) return deny('not-authorized');
  return { result: 'allow', principal: { kind: 'app', tenantId: principal.tenantId, keyId: principal.keyId, scopes: [...principal.scopes] } };
}

/**
 * Client certificate, verified by the gateway against its CA and known here by fingerprint. The
 * mapping names the tenant and device, so the device connects with client id = device id and no
 * password. Null when the certificate is registered to no device (or no longer), so the password
 * decides; a certificate of another device is refused whatever the password.
 */
async function authenticateCertificate(lookups: BatchLookups, request: AuthRequest, fingerprint: string, now: Date): Promise<AuthResult | null> {
  const mapping = await lookups.certificate(fingerprint);
  if (!mapping) return null;
  if (mapping.deviceId !== request.clientId) return deny('not-authorized');
  const result = await allowDevice(lookups, mapping.tenantId, mapping.deviceId, (device) => {
    const entry = device.credentials.find(
      (candidate) => candidate.kind === 'x509' && candidate.id === mapping.credentialId && candidate.fingerprint === fingerprint
    );
    if (!entry || (entry.expiresAt !== undefined && entry.expiresAt <= now)) return false;
    return entry.expiresAt?.getTime() ?? null;
  });
  return result.result === 'deny' && result.reason === 'bad-credentials' ? null : result;
}

function authenticatePassword(ctx: RegistryContext, lookups: BatchLookups, request: AuthRequest, now: Date): Promise<AuthResult> {
  const token = parseDeviceToken(request.password);
  if (token) return authenticateToken(lookups, request, token.tenantId, now);
  if (request.password.startsWith('plx_')) return authenticateApp(ctx, request);
  if (looksLikeJwt(request.password)) return authenticateJwt(lookups, request, now);
  return Promise.resolve(deny('bad-credentials'));
}

/**
 * Precedence: a client certificate registered to the connecting device wins, whatever the
 * password says; a certificate registered to another device is refused (`not-authorized`); an
 * unknown or revoked certificate leaves the decision to the password (token, JWT or app key).
 */
export async function authenticateConnections(ctx: RegistryContext, requests: readonly AuthRequest[]): Promise<AuthResult[]> {
  const lookups = new BatchLookups(ctx);
  const now = ctx.now();
  return mapConcurrently(requests, LOOKUP_CONCURRENCY, async (request) => {
    if (request.certificateFingerprint !== undefined) {
      const byCertificate = await authenticateCertificate(lookups, request, request.certificateFingerprint, now);
      if (byCertificate) return byCertificate;
    }
    return authenticatePassword(ctx, lookups, request, now);
  });
}
