import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPlexusError } from '@plexus/errors';
import { decodeRecord, encodeRecord } from './record-codec.ts';
import type { StreamRecord } from './stream-record.ts';

const record: StreamRecord = {
  tenantId: 'acme',
  deviceId: 'meter-7',
  messageId: 'm-42',
  receivedAt: 1_795_000_000_123,
  kind: 'telemetry',
  topic: 'devices/meter-7/telemetry/power',
  payload: Uint8Array.from([0, 1, 2, 255, 254, 10, 13])
};

function codeOf(bytes: Uint8Array): string {
  try {
    decodeRecord(bytes);
  } catch (error) {
    if (!isPlexusError(error)) throw new Error(`decodeRecord threw a non-catalog error: ${String(error)}`);
    return error.code;
  }
  return 'decoded';
}

function withHeader(header: string, payload = ''): Buffer {
  const headerBytes = Buffer.from(header);
  const prefix = Buffer.alloc(5);
  prefix[0] = 1;
  prefix.writeUInt32BE(headerBytes.length, 1);
  return Buffer.concat([prefix, headerBytes, Buffer.from(payload)]);
}

describe('record codec', () => {
  it('writes the header as the JSON of its fields, escapes and multi-byte characters included', () => {
    const unusual = { ...record, deviceId: 'meter-"7"\\', topic: 'devices/meter-"7"\\/telemetry/température/\u0001' };
    const encoded = encodeRecord(unusual);
    const headerLength = encoded.readUInt32BE(1);
    const expected = JSON.stringify({ t: 'acme', d: unusual.deviceId, m: 'm-42', r: 1_795_000_000_123, k: 'telemetry', p: unusual.topic });
    expect(encoded.toString('utf8', 5, 5 + headerLength)).toBe(expected);
    expect(headerLength).toBe(Buffer.byteLength(expected));
    expect(decodeRecord(encoded).topic).toBe(unusual.topic);
  });

  it('round-trips every field and binary payload bytes exactly', () => {
    const decoded = decodeRecord(encodeRecord(record));
    expect({ ...decoded, payload: [...decoded.payload] }).toEqual({ ...record, payload: [...record.payload] });
  });

  it('round-trips a record without topic and with an empty payload', () => {
    const bare: StreamRecord = { tenantId: 't', deviceId: 'd', messageId: '1', receivedAt: 0, kind: 'usage', payload: new Uint8Array() };
    const decoded = decodeRecord(encodeRecord(bare));
    expect(decoded).not.toHaveProperty('topic');
    expect(decoded).toMatchObject({ tenantId: 't', deviceId: 'd', messageId: '1', receivedAt: 0, kind: 'usage' });
    expect(decoded.payload.byteLength).toBe(0);
  });

  it('starts with the format version and keeps the header small', () => {
    const encoded = encodeRecord(record);
    expect(encoded[0]).toBe(1);
    expect(encoded.length - record.payload.byteLength).toBeLessThan(120);
  });

  it('decodes from a view into a larger buffer', () => {
    const encoded = encodeRecord(record);
    const larger = Buffer.concat([Buffer.from('junk'), encoded, Buffer.from('tail')]);
    const view = larger.subarray(4, 4 + encoded.length);
    expect(decodeRecord(view).messageId).toBe('m-42');
  });

  it.each([
    ['empty input', Buffer.alloc(0)],
    ['a truncated prefix', Buffer.from([1, 0, 0])],
    ['an unknown version', Buffer.concat([Buffer.from([2]), encodeRecord(record).subarray(1)])],
    ['a header length past the end', Buffer.from([1, 0, 0, 1, 0, 123])],
    ['a header that is not JSON', withHeader('{nope')],
    ['a header that is an array', withHeader('[1,2]')],
    ['a missing tenant', withHeader('{"d":"d","m":"m","r":1,"k":"telemetry"}')],
    ['an empty device id', withHeader('{"t":"t","d":"","m":"m","r":1,"k":"telemetry"}')],
    ['a fractional receivedAt', withHeader('{"t":"t","d":"d","m":"m","r":1.5,"k":"telemetry"}')],
    ['a negative receivedAt', withHeader('{"t":"t","d":"d","m":"m","r":-1,"k":"telemetry"}')],
    ['an unknown kind', withHeader('{"t":"t","d":"d","m":"m","r":1,"k":"video"}')],
    ['a topic that is not a string', withHeader('{"t":"t","d":"d","m":"m","r":1,"k":"shadow","p":7}')]
  ])('rejects %s with PLX_STREAM_MALFORMED_RECORD', (_what, bytes) => {
    expect(codeOf(bytes)).toBe('PLX_STREAM_MALFORMED_RECORD');
  });

  it('never throws anything but a catalog error, whatever the bytes', () => {
    const valid = encodeRecord(record);
    for (let cut = 0; cut < valid.length; cut++) {
      const outcome = codeOf(valid.subarray(0, cut));
      // Cutting into the payload still leaves a well-formed (shorter) record.
      expect(['PLX_STREAM_MALFORMED_RECORD', 'decoded']).toContain(outcome);
    }
    for (let i = 0; i < 500; i++) {
      const noise = randomBytes(1 + (i % 64));
      if (i % 2 === 0) noise[0] = 1;
      expect(['PLX_STREAM_MALFORMED_RECORD', 'decoded']).toContain(codeOf(noise));
    }
  });
});
