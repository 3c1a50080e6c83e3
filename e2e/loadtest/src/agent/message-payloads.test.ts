import { describe, expect, it } from 'vitest';
import { compilePayload, compileTemplate, readStamp, type MessageContext } from './message-payloads.ts';

const context: MessageContext = { deviceId: 'dev-7', seq: 42, epochMs: 1_764_000_000_123.456, random: () => 0.5 };

describe('message payloads', () => {
  it('fills every template field and leaves other braces alone', () => {
    expect(compileTemplate('devices/{deviceId}/telemetry')(context)).toBe('devices/dev-7/telemetry');
    expect(compileTemplate('{"n":{seq},"at":{timestamp},"r":"{random}","x":{unknown}}')(context)).toBe(
      '{"n":42,"at":1764000000123.456,"r":"80000000","x":{unknown}}'
    );
    expect(compileTemplate('plain')(context)).toBe('plain');
  });

  it('makes stamped payloads valid JSON of exactly the size asked, whose stamp reads back', () => {
    for (const bytes of [0, 30, 64, 1000]) {
      const payload = compilePayload({ kind: 'size', bytes }, true, Math.random)(context);
      const parsed = JSON.parse(payload.toString()) as { ts: number; seq: number; pad: string };
      expect(parsed.ts).toBe(1_764_000_000_123.456);
      expect(parsed.seq).toBe(42);
      expect(readStamp(payload)).toBe(1_764_000_000_123.456);
      const minimum = '{"ts":1764000000123.456,"seq":42,"pad":""}'.length;
      expect(payload.length).toBe(Math.max(bytes, minimum));
    }
  });

  it('shares one buffer of the asked size for unstamped sized payloads, and reads no stamp from it', () => {
    const build = compilePayload({ kind: 'size', bytes: 100 }, false, Math.random);
    expect(build(context)).toBe(build({ ...context, seq: 43 }));
    expect(build(context)).toHaveLength(100);
    expect(readStamp(build(context))).toBeNull();
  });

  it('reads a stamp from a template with {timestamp} in the ts field, and none from other JSON', () => {
    const payload = compilePayload({ kind: 'template', template: '{"ts":{timestamp},"t":21.5}' }, false, Math.random)(context);
    expect(readStamp(payload)).toBe(1_764_000_000_123.456);
    expect(readStamp(Buffer.from('{"t":21.5}'))).toBeNull();
    expect(readStamp(Buffer.from('{"ts":"soon"}'))).toBeNull();
  });
});
