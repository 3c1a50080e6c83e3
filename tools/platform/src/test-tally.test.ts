import { describe, expect, it } from 'vitest';
import { addSummaryLine, emptyTally, formatTally } from './test-tally.ts';

describe('test tally', () => {
  it('sums Vitest summaries across projects, through colours and Nx prefixes', () => {
    const tally = emptyTally();
    addSummaryLine(tally, '\u001b[1m@plexus/registry:\u001b[22m \u001b[2m      Tests \u001b[22m \u001b[1m\u001b[32m32 passed\u001b[39m\u001b[22m\u001b[90m (32)\u001b[39m');
    addSummaryLine(tally, '@plexus/control-plane:       Tests  2 failed | 14 passed (16)');
    addSummaryLine(tally, '      Tests  1 failed | 5 passed | 2 skipped (8)');
    addSummaryLine(tally, ' Test Files  1 failed | 3 passed (4)');
    addSummaryLine(tally, 'nothing to see here');
    expect(tally).toEqual({ passed: 51, failed: 3, skipped: 2 });
    expect(formatTally(tally)).toBe('tests: 51 passed, 3 failed, 2 skipped');
    expect(formatTally(emptyTally())).toBe('tests: 0 passed, 0 failed');
  });
});
