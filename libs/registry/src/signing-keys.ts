import { createPublicKey } from 'node:crypto';
import type { CreateSigningKeyBody, SigningKey } from '@plexus/contracts';
import type { RegistryContext } from './context.ts';
import type { SigningKeyDocument } from './documents.ts';
import { RegistryErrors } from './errors.ts';
import { randomHex } from './secrets.ts';

// A tenant's backend keeps the Ed25519 private key and mints short-lived JWTs for its
// devices; Plexus stores only public keys, so a leak of the registry mints no tokens.

export function toSigningKey(doc: SigningKeyDocument): SigningKey {
  return {
    id: doc._id,
    name: doc.name,
    algorithm: 'EdDSA',
    publicKeyPem: doc.publicKeyPem,
    createdAt: doc.createdAt.toISOString(),
    revokedAt: doc.revokedAt?.toISOString() ?? null
  };
}

function assertEd25519Pem(pem: string): void {
  let keyType: string | undefined;
  try {
    keyType = createPublicKey({ key: pem, format: 'pem' }).asymmetricKeyType;
  } catch (error) {
    throw RegistryErrors.invalidPublicKey(error instanceof Error ? error.message : String(error));
  }
  if (keyType !== 'ed25519') throw RegistryErrors.invalidPublicKey(`key type is ${keyType ?? 'unknown'}`);
}

export async function createSigningKey(ctx: RegistryContext, tenantId: string, body: CreateSigningKeyBody): Promise<SigningKey> {
  assertEd25519Pem(body.publicKeyPem);
  const doc: SigningKeyDocument = {
    _id: `sk_${randomHex(8)}`,
    tenantId,
    name: body.name,
    publicKeyPem: body.publicKeyPem.trim(),
    createdAt: ctx.now(),
    revokedAt: null
  };
  await ctx.collections.signingKeys.insertOne(doc);
  return toSigningKey(doc);
}

export async function listSigningKeys(ctx: RegistryContext, tenantId: string): Promise<SigningKey[]> {
  const docs = await ctx.collections.signingKeys.find({ tenantId }).sort({ createdAt: 1 }).toArray();
  return docs.map(toSigningKey);
}

export async function revokeSigningKey(ctx: RegistryContext, tenantId: string, signingKeyId: string): Promise<void> {
  const doc = await ctx.collections.signingKeys.findOne({ _id: signingKeyId });
  if (!doc || doc.tenantId !== tenantId) throw RegistryErrors.signingKeyNotFound(signingKeyId);
  await ctx.collections.signingKeys.updateOne({ _id: signingKeyId }, { $set: { revokedAt: ctx.now() } });
  await ctx.revocations.publish({ kind: 'signing-key', tenantId, signingKeyId, reason: 'signing-key-revoked' });
}
