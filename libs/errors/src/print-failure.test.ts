import { describe, expect, it } from 'vitest';
import { defineError } from './plexus-error.ts';
import { printFailure } from './print-failure.ts';

describe('printFailure', () => {
  it('prints a catalog error as its message and code, and anything else as it is', () => {
    const lines: unknown[] = [];
    const notFound = defineError<[string]>('PLX_TEST_NOT_FOUND', 404, 'no %s');
    printFailure('tool', notFound('widget'), (line) => lines.push(line));
    const bug = new TypeError('x is undefined');
    printFailure('tool', bug, (line) => lines.push(line));
    expect(lines).toEqual(['tool: no widget [PLX_TEST_NOT_FOUND]', bug]);
  });
});
