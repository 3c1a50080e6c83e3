import { streamErrors } from './errors.ts';
import { STREAM_RECORD_KINDS, type StreamRecord, type StreamRecordKind } from './stream-record.ts';

// Wire format, version 1:
//   byte 0        version (1)
//   bytes 1..4    header length N, unsigned big-endian
//   bytes 5..5+N  header: UTF-8 JSON {"t":tenantId,"d":deviceId,"m":messageId,"r":receivedAt,"k":kind,"p"?:topic}
//   the rest      payload, raw
// The header is small JSON so new optional fields need no new version; the payload stays raw
// bytes so opaque device data is never re-encoded. A reader rejects versions it does not know.

export const RECORD_FORMAT_VERSION = 1;
const PREFIX_BYTES = 5;

interface WireHeader {
  t: string;
  d: string;
  m: string;
  r: number;
  k: StreamRecordKind;
  p?: string;
}

export function encodeRecord(record: StreamRecord): Buffer {
  const header: WireHeader = { t: record.tenantId, d: record.deviceId, m: record.messageId, r: record.receivedAt, k: record.kind };
  if (record.topic !== undefined) header.p = record.topic;
  // Written straight into the record's buffer instead of through an intermediate header buffer.
  const json = JSON.stringify(header);
  const headerLength = Buffer.byteLength(json, 'utf8');
  const encoded = Buffer.allocUnsafe(PREFIX_BYTES + headerLength + record.payload.byteLength);
  encoded[0] = RECORD_FORMAT_VERSION;
  encoded.writeUInt32BE(headerLength, 1);
  encoded.write(json, PREFIX_BYTES, headerLength, 'utf8');
  encoded.set(record.payload, PREFIX_BYTES + headerLength);
  return encoded;
}

/** Decodes one record; anything that is not a complete version-1 record fails with PLX_STREAM_MALFORMED_RECORD. */
export function decodeRecord(bytes: Uint8Array): StreamRecord {
  if (bytes.byteLength < PREFIX_BYTES) throw streamErrors.malformedRecord(`${bytes.byteLength} bytes is shorter than the ${PREFIX_BYTES}-byte prefix`);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = buffer[0];
  if (version !== RECORD_FORMAT_VERSION) throw streamErrors.malformedRecord(`unknown format version ${version}`);
  const headerLength = buffer.readUInt32BE(1);
  if (headerLength > buffer.length - PREFIX_BYTES) {
    throw streamErrors.malformedRecord(`header length ${headerLength} runs past the ${buffer.length}-byte record`);
  }
  let header: unknown;
  try {
    header = JSON.parse(buffer.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerLength));
  } catch {
    throw streamErrors.malformedRecord('header is not JSON');
  }
  const checked = checkHeader(header);
  const payload = buffer.subarray(PREFIX_BYTES + headerLength);
  return {
    tenantId: checked.t,
    deviceId: checked.d,
    messageId: checked.m,
    receivedAt: checked.r,
    kind: checked.k,
    ...(checked.p === undefined ? {} : { topic: checked.p }),
    payload
  };
}

function checkHeader(header: unknown): WireHeader {
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw streamErrors.malformedRecord('header is not an object');
  const fields = header as Record<string, unknown>;
  for (const name of ['t', 'd', 'm'] as const) {
    if (typeof fields[name] !== 'string' || fields[name] === '') throw streamErrors.malformedRecord(`header field '${name}' is not a non-empty string`);
  }
  if (!Number.isSafeInteger(fields['r']) || (fields['r'] as number) < 0) {
    throw streamErrors.malformedRecord("header field 'r' is not a non-negative integer");
  }
  if (!STREAM_RECORD_KINDS.includes(fields['k'] as StreamRecordKind)) throw streamErrors.malformedRecord(`unknown kind ${JSON.stringify(fields['k'])}`);
  if (fields['p'] !== undefined && typeof fields['p'] !== 'string') throw streamErrors.malformedRecord("header field 'p' is not a string");
  return fields as unknown as WireHeader;
}
