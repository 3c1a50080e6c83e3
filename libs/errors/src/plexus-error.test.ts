import { describe, expect, it } from 'vitest';
import { defineError, isPlexusError } from './index.ts';

describe('defineError', () => {
  const notFound = defineError<[string, string]>('PLX_TEST_NOT_FOUND', 404, '%s %s not found');
  const withDetails = defineError<[string, { line: number }]>('PLX_TEST_LINE', 400, 'bad %s');

  it('fills the template and carries code and status', () => {
    const error = notFound('device', 'd-1');
    expect(error.message).toBe('device d-1 not found');
    expect(error.code).toBe('PLX_TEST_NOT_FOUND');
    expect(error.statusCode).toBe(404);
    expect(isPlexusError(error)).toBe(true);
    expect(notFound.is(error)).toBe(true);
    expect(withDetails.is(error)).toBe(false);
  });

  it('keeps a trailing object argument as details', () => {
    const error = withDetails('line', { line: 7 });
    expect(error.message).toBe('bad line');
    expect(error.details).toEqual({ line: 7 });
  });

  it('does not treat foreign errors as catalog errors', () => {
    expect(isPlexusError(new Error('x'))).toBe(false);
    expect(notFound.is(new Error('x'))).toBe(false);
  });
});
