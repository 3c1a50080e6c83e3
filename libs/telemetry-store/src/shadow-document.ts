import type { ShadowDocument, ShadowMetadata } from './shadow-store.ts';

type JsonObject = { [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, index) => jsonEqual(item, other[index]));
  }
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((key) => Object.hasOwn(b, key) && jsonEqual((a as JsonObject)[key], (b as JsonObject)[key]));
}

/**
 * JSON merge patch (RFC 7396): objects merge key by key and recursively, `null` deletes a key,
 * arrays and scalars replace. Returns a new document; neither argument is changed.
 */
export function mergeShadowDocument(document: ShadowDocument, patch: ShadowDocument): ShadowDocument {
  const merged: JsonObject = { ...document };
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) {
      delete merged[key];
    } else if (isJsonObject(value)) {
      const target = merged[key];
      merged[key] = mergeShadowDocument(isJsonObject(target) ? target : {}, value);
    } else {
      merged[key] = value;
    }
  }
  return merged;
}

/**
 * What `desired` asks for that `reported` does not have, as AWS IoT computes a shadow's delta:
 * every key of desired whose value differs from reported's, recursing into objects on both
 * sides so only the differing leaves appear. Keys only in reported are not part of the delta.
 */
export function computeDelta(desired: ShadowDocument, reported: ShadowDocument): ShadowDocument {
  const delta: JsonObject = {};
  for (const key of Object.keys(desired)) {
    const wanted = desired[key];
    const actual = reported[key];
    if (isJsonObject(wanted) && isJsonObject(actual)) {
      const nested = computeDelta(wanted, actual);
      if (Object.keys(nested).length > 0) delta[key] = nested;
    } else if (!jsonEqual(wanted, actual)) {
      delta[key] = wanted;
    }
  }
  return delta;
}

/**
 * The metadata after `patch` was merged into `before`: each leaf the patch changed is stamped
 * `{ timestamp: at }`, each key it deleted loses its metadata, and leaves it set to the value
 * they already had keep their old timestamp (so a replayed update changes nothing).
 */
export function stampMetadata(metadata: ShadowMetadata, before: ShadowDocument, patch: ShadowDocument, at: number): ShadowMetadata {
  const stamped: JsonObject = { ...metadata };
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    const previous = before[key];
    if (value === null) {
      delete stamped[key];
    } else if (isJsonObject(value)) {
      const previousMetadata = isJsonObject(previous) && isJsonObject(metadata[key]) ? (metadata[key] as JsonObject) : {};
      stamped[key] = stampMetadata(previousMetadata, isJsonObject(previous) ? previous : {}, value, at);
    } else if (!jsonEqual(previous, value)) {
      stamped[key] = { timestamp: at };
    }
  }
  return stamped;
}
