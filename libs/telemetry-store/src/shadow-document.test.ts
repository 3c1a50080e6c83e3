import { describe, expect, it } from 'vitest';
import { computeDelta, jsonEqual, mergeShadowDocument, stampMetadata } from './shadow-document.ts';
import { applyShadowChange } from './shadow-update.ts';

describe('mergeShadowDocument (JSON merge patch)', () => {
  it('merges objects recursively, deletes on null, replaces arrays and scalars, and changes neither argument', () => {
    const document = { a: 1, b: { c: 2, d: [1, 2] }, e: 'x' };
    const patch = { a: null, b: { c: null, d: [3], f: { g: 1 } }, e: { now: 'object' }, h: [] };
    expect(mergeShadowDocument(document, patch)).toEqual({ b: { d: [3], f: { g: 1 } }, e: { now: 'object' }, h: [] });
    expect(document).toEqual({ a: 1, b: { c: 2, d: [1, 2] }, e: 'x' });
    expect(mergeShadowDocument({ a: { b: 1 } }, { a: 5 })).toEqual({ a: 5 });
    expect(mergeShadowDocument({}, { a: { b: null } })).toEqual({ a: {} });
  });
});

describe('computeDelta', () => {
  it('lists the desired leaves reported does not match, as AWS IoT does', () => {
    expect(computeDelta({ a: 1, b: { c: 2, d: 3 }, e: [1], f: { g: 1 } }, { a: 1, b: { c: 2, d: 4 }, e: [1], f: 7, extra: true })).toEqual({
      b: { d: 3 },
      f: { g: 1 }
    });
    expect(computeDelta({ a: { b: 1 } }, { a: { b: 1, c: 2 } })).toEqual({});
    expect(computeDelta({ list: [1, 2] }, { list: [2, 1] })).toEqual({ list: [1, 2] });
    expect(computeDelta({}, { a: 1 })).toEqual({});
  });
});

describe('jsonEqual', () => {
  it('compares by value, key order aside', () => {
    expect(jsonEqual({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
    expect(jsonEqual(1, '1')).toBe(false);
  });
});

describe('stampMetadata', () => {
  it('stamps changed leaves, keeps unchanged stamps, drops deleted keys', () => {
    const before = { temp: 20, mode: 'a', nested: { x: 1, y: 2 }, old: 1 };
    const metadata = { temp: { timestamp: 1 }, mode: { timestamp: 1 }, nested: { x: { timestamp: 1 }, y: { timestamp: 1 } }, old: { timestamp: 1 } };
    expect(stampMetadata(metadata, before, { temp: 21, mode: 'a', nested: { y: 3, z: 0 }, old: null }, 9)).toEqual({
      temp: { timestamp: 9 },
      mode: { timestamp: 1 },
      nested: { x: { timestamp: 1 }, y: { timestamp: 9 }, z: { timestamp: 9 } }
    });
  });

  it('starts a fresh subtree when a leaf becomes an object', () => {
    expect(stampMetadata({ a: { timestamp: 1 } }, { a: 5 }, { a: { b: 1 } }, 2)).toEqual({ a: { b: { timestamp: 2 } } });
  });
});

describe('applyShadowChange', () => {
  it('returns the current shadow itself when nothing changes, so adapters skip the write', () => {
    const first = applyShadowChange('t', 'd', null, { reported: { a: 1 } }, 1);
    expect(first.version).toBe(1);
    expect(applyShadowChange('t', 'd', first, { reported: { a: 1 } }, 2)).toBe(first);
  });

  it('refuses a stale expected version with PLX_SHADOW_VERSION_CONFLICT', () => {
    expect(() => applyShadowChange('t', 'd', null, { desired: { a: 1 } }, 1, 3)).toThrow(expect.objectContaining({ code: 'PLX_SHADOW_VERSION_CONFLICT', statusCode: 409 }));
  });
});
