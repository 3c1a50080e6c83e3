import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';

const schema = Type.Object({
  APP_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8080 }),
  APP_HOST: Type.String({ default: '127.0.0.1' }),
  APP_DEBUG: Type.Boolean({ default: false }),
  APP_SECRET: Type.String({ minLength: 8 }),
  APP_TOKEN: Type.Optional(Type.String({ minLength: 32 })),
  APP_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres://' }))
});

describe('loadConfig', () => {
  it('applies defaults and converts types', () => {
    expect(loadConfig(schema, { APP_SECRET: 'long-enough', APP_DEBUG: 'true' })).toEqual({
      APP_PORT: 8080,
      APP_HOST: '127.0.0.1',
      APP_DEBUG: true,
      APP_SECRET: 'long-enough'
    });
    expect(loadConfig(schema, { APP_SECRET: 'long-enough', APP_PORT: '9000' }).APP_PORT).toBe(9000);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig(schema, { APP_SECRET: 'long-enough', APP_PORT: '99999' })).toThrow(/APP_PORT .*99999/);
    expect(() => loadConfig(schema, { APP_SECRET: 'long-enough', APP_PORT: 'eighty' })).toThrow(/APP_PORT/);
    expect(() => loadConfig(schema, {})).toThrow(expect.objectContaining({ code: 'PLX_CONFIG_INVALID', message: expect.stringMatching(/APP_SECRET must be set/) }));
  });

  it('never echoes the value of a secret or URL variable', () => {
    const attempt = () => loadConfig(schema, { APP_SECRET: 'long-enough', APP_TOKEN: 'short-secret', APP_DATABASE_URL: 'mysql://u:hunter2@db' });
    expect(attempt).toThrow(/APP_TOKEN .*value hidden/);
    expect(attempt).toThrow(/APP_DATABASE_URL .*value hidden/);
    expect(attempt).not.toThrow(/hunter2|short-secret/);
  });
});
