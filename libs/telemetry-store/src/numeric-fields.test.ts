import { describe, expect, it } from 'vitest';
import { flattenNumericFields, MAX_FIELD_DEPTH, MAX_NUMERIC_FIELDS } from './numeric-fields.ts';

const bytes = (text: string): Uint8Array => Buffer.from(text);

describe('flattenNumericFields', () => {
  it('keeps numeric leaves under dotted paths, array elements by index', () => {
    expect(flattenNumericFields(bytes('{"t":21.5,"a":{"b":1,"c":{"d":-2}},"list":[3,{"x":4}],"zero":0}'))).toEqual({
      t: 21.5,
      'a.b': 1,
      'a.c.d': -2,
      'list.0': 3,
      'list.1.x': 4,
      zero: 0
    });
  });

  it('ignores booleans, strings and nulls', () => {
    expect(flattenNumericFields(bytes('{"on":true,"name":"x","n":null,"s":"12","v":1}'))).toEqual({ v: 1 });
  });

  it('has no fields for opaque bytes, invalid JSON, or JSON that is not an object', () => {
    for (const payload of [Uint8Array.from([0, 1, 255]), bytes(''), bytes('{"a":'), bytes('12'), bytes('[1,2]'), bytes('"x"'), bytes('null')]) {
      expect(flattenNumericFields(payload)).toEqual({});
    }
  });

  it('accepts leading whitespace and a view into a larger buffer', () => {
    const whole = Buffer.from('xx \n {"v":7}yy');
    expect(flattenNumericFields(whole.subarray(2, whole.length - 2))).toEqual({ v: 7 });
  });

  it(`keeps the first ${MAX_NUMERIC_FIELDS} fields of a huge payload`, () => {
    const document = Object.fromEntries(Array.from({ length: 1_000 }, (_unused, index) => [`f${index}`, index]));
    const fields = flattenNumericFields(bytes(JSON.stringify(document)));
    expect(Object.keys(fields)).toHaveLength(MAX_NUMERIC_FIELDS);
    expect(fields[`f${MAX_NUMERIC_FIELDS - 1}`]).toBe(MAX_NUMERIC_FIELDS - 1);
    expect(fields[`f${MAX_NUMERIC_FIELDS}`]).toBeUndefined();
  });

  it(`ignores leaves deeper than ${MAX_FIELD_DEPTH} levels`, () => {
    const nest = (depth: number): unknown => (depth === 1 ? { v: depth } : { v: depth, n: nest(depth - 1) });
    const fields = flattenNumericFields(bytes(JSON.stringify(nest(MAX_FIELD_DEPTH + 3))));
    expect(Object.keys(fields)).toHaveLength(MAX_FIELD_DEPTH);
    expect(fields[`${'n.'.repeat(MAX_FIELD_DEPTH - 1)}v`]).toBe(4);
  });
});
