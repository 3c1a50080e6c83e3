import type { PayloadSpec } from '../contracts/scenario.ts';

// Topics and payloads of a scenario's publish steps, compiled once per step so a message costs
// a few string concatenations. A stamped message carries its send time as JSON
// `{"ts":<epoch ms, µs fraction>,"seq":n,"pad":"…"}`: the data plane stores it as a telemetry
// point, and whoever receives it can compute the end-to-end latency with `readStamp`.

export interface MessageContext {
  readonly deviceId: string;
  /** The device's publish number, from 1. */
  readonly seq: number;
  /** Epoch ms with a µs fraction. */
  readonly epochMs: number;
  readonly random: () => number;
}

const FIELD = /\{(deviceId|seq|timestamp|random)\}/g;
type Field = 'deviceId' | 'seq' | 'timestamp' | 'random';

/** `{deviceId}`, `{seq}`, `{timestamp}` (epoch ms, µs fraction) and `{random}` replaced per message. */
export function compileTemplate(template: string): (context: MessageContext) => string {
  const literals: string[] = [];
  const fields: Field[] = [];
  let last = 0;
  for (const match of template.matchAll(FIELD)) {
    literals.push(template.slice(last, match.index));
    fields.push(match[1] as Field);
    last = match.index + match[0].length;
  }
  const tail = template.slice(last);
  if (fields.length === 0) return () => tail;
  return (context) => {
    let text = '';
    for (let index = 0; index < fields.length; index++) text += literals[index]! + fieldValue(fields[index]!, context);
    return text + tail;
  };
}

function fieldValue(field: Field, context: MessageContext): string {
  switch (field) {
    case 'deviceId':
      return context.deviceId;
    case 'seq':
      return String(context.seq);
    case 'timestamp':
      return context.epochMs.toFixed(3);
    case 'random':
      return Math.floor(context.random() * 4_294_967_296).toString(16);
  }
}

const FILLER_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function filler(bytes: number, random: () => number): Buffer {
  const buffer = Buffer.allocUnsafe(bytes);
  for (let index = 0; index < bytes; index++) buffer[index] = FILLER_ALPHABET.charCodeAt(Math.floor(random() * FILLER_ALPHABET.length));
  return buffer;
}

/**
 * The payload builder of a publish step. Unstamped sized payloads are one shared buffer (the
 * client copies it into each packet); stamped ones are exactly `bytes` long when that is at
 * least the stamp itself. A template's time is its `{timestamp}` field.
 */
export function compilePayload(spec: PayloadSpec, stamped: boolean, random: () => number): (context: MessageContext) => Buffer {
  if (spec.kind === 'template') {
    const render = compileTemplate(spec.template);
    return (context) => Buffer.from(render(context));
  }
  const pad = filler(spec.bytes, random);
  if (!stamped) return () => pad;
  return (context) => {
    const head = `{"ts":${context.epochMs.toFixed(3)},"seq":${context.seq},"pad":"`;
    const padLength = Math.max(0, spec.bytes - head.length - 2);
    const payload = Buffer.allocUnsafe(head.length + padLength + 2);
    payload.write(head, 0, 'latin1');
    pad.copy(payload, head.length, 0, padLength);
    payload.write('"}', head.length + padLength, 'latin1');
    return payload;
  };
}

const STAMP_PREFIX = Buffer.from('{"ts":');

/** The send time (epoch ms) of a stamped payload, or null for any other payload. */
export function readStamp(payload: Buffer): number | null {
  if (payload.length <= STAMP_PREFIX.length || payload.compare(STAMP_PREFIX, 0, STAMP_PREFIX.length, 0, STAMP_PREFIX.length) !== 0) return null;
  let end = STAMP_PREFIX.length;
  while (end < payload.length && payload[end] !== 0x2c && payload[end] !== 0x7d) end++;
  const stamp = Number(payload.toString('latin1', STAMP_PREFIX.length, end));
  return Number.isFinite(stamp) ? stamp : null;
}
