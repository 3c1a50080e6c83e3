import { X509Certificate } from 'node:crypto';
import { isDuplicateKeyError, type RegistryContext } from './context.ts';
import type { DeviceCertificateDocument } from './documents.ts';
import { RegistryErrors } from './errors.ts';

const CERTIFICATE_PEM_FIELD = { field: 'body/certificatePem' };

/**
 * The one stored form of a SHA-256 certificate fingerprint: upper-case hex pairs joined by
 * colons, which is what a TLS socket's `getPeerCertificate().fingerprint256` already reports.
 */
export function canonicalFingerprint(hex: string): string {
  const digits = hex.replaceAll(':', '').toUpperCase();
  return digits.match(/../g)?.join(':') ?? '';
}

export interface ParsedCertificate {
  readonly fingerprint: string;
  readonly validTo: Date;
}

/** Reads one PEM certificate, refusing what a device could never connect with. */
export function parseCertificatePem(pem: string, now: Date): ParsedCertificate {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw RegistryErrors.invalidCertificate('expected a PEM block starting with -----BEGIN CERTIFICATE-----', CERTIFICATE_PEM_FIELD);
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (error) {
    throw RegistryErrors.invalidCertificate(error instanceof Error ? error.message : String(error), CERTIFICATE_PEM_FIELD);
  }
  if (certificate.ca) throw RegistryErrors.invalidCertificate('it is a CA certificate, not a device certificate', CERTIFICATE_PEM_FIELD);
  const validTo = new Date(certificate.validTo);
  if (!(validTo > now)) throw RegistryErrors.invalidCertificate(`it expired at ${certificate.validTo}`, CERTIFICATE_PEM_FIELD);
  return { fingerprint: certificate.fingerprint256, validTo };
}

/**
 * Points `mapping._id` (a fingerprint) at its device. A fingerprint already mapped is taken over
 * only when the device it names no longer holds that credential (`stillHeld` says false): one
 * certificate authenticates one device.
 */
export async function claimCertificate(
  ctx: RegistryContext,
  mapping: DeviceCertificateDocument,
  stillHeld: (existing: DeviceCertificateDocument) => Promise<boolean>
): Promise<void> {
  const certificates = ctx.collections.deviceCertificates;
  try {
    await certificates.insertOne(mapping);
    return;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  const existing = await certificates.findOne({ _id: mapping._id });
  if (existing === null) {
    try {
      await certificates.insertOne(mapping);
      return;
    } catch (error) {
      if (isDuplicateKeyError(error)) throw RegistryErrors.certificateInUse(mapping._id);
      throw error;
    }
  }
  if (await stillHeld(existing)) throw RegistryErrors.certificateInUse(mapping._id);
  // Conditional on the stale owner, so that of two devices claiming one stale mapping one wins.
  const replaced = await certificates.replaceOne({ _id: mapping._id, credentialId: existing.credentialId }, mapping);
  if (replaced.matchedCount === 0) throw RegistryErrors.certificateInUse(mapping._id);
}

/** Removes the mapping if it still belongs to this credential. */
export async function releaseCertificate(ctx: RegistryContext, fingerprint: string, credentialId: string): Promise<void> {
  await ctx.collections.deviceCertificates.deleteOne({ _id: fingerprint, credentialId });
}
