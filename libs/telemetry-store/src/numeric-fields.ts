/** At most this many fields are kept from one payload, the first ones in document order. */
export const MAX_NUMERIC_FIELDS = 256;
/** Leaves nested deeper than this many levels are ignored (`{"a":{"b":1}}` has `b` at depth 2). */
export const MAX_FIELD_DEPTH = 8;

const OPEN_BRACE = 0x7b;

/**
 * The numeric leaves of a JSON object payload, keyed by their dotted path (`{"a":{"b":1}}` →
 * `{ "a.b": 1 }`; array elements by index, `{"t":[1,2]}` → `t.0`, `t.1`). Booleans, strings and
 * nulls are not numbers and are left out. A payload that is not a JSON object (opaque bytes, a
 * bare number, an array, invalid JSON) has no fields. Bounded by MAX_NUMERIC_FIELDS and
 * MAX_FIELD_DEPTH so one hostile payload cannot make a point (and every rollup it feeds) huge.
 */
export function flattenNumericFields(payload: Uint8Array): Record<string, number> {
  const fields: Record<string, number> = {};
  const start = firstNonWhitespace(payload);
  if (start === -1 || payload[start] !== OPEN_BRACE) return fields;
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch {
    return fields;
  }
  collect(document, '', 1, fields, { count: 0 });
  return fields;
}

function collect(node: unknown, prefix: string, depth: number, fields: Record<string, number>, budget: { count: number }): void {
  if (node === null || typeof node !== 'object' || depth > MAX_FIELD_DEPTH) return;
  const entries = Array.isArray(node) ? node.entries() : Object.entries(node);
  for (const [key, value] of entries) {
    if (budget.count >= MAX_NUMERIC_FIELDS) return;
    const path = prefix === '' ? String(key) : `${prefix}.${key}`;
    if (typeof value === 'number') {
      fields[path] = value;
      budget.count++;
    } else if (value !== null && typeof value === 'object') {
      collect(value, path, depth + 1, fields, budget);
    }
  }
}

function firstNonWhitespace(bytes: Uint8Array): number {
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return index;
  }
  return -1;
}
