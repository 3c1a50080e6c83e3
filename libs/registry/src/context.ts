import type { RegistryCollections } from './documents.ts';
import type { RevocationPublisher } from './revocations.ts';

export interface RegistryContext {
  readonly collections: RegistryCollections;
  readonly revocations: RevocationPublisher;
  readonly now: () => Date;
}

export function isDuplicateKeyError(error: unknown): boolean {
  return error !== null && typeof error === 'object' && 'code' in error && error.code === 11000;
}
