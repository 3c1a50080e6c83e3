// CI reads a plain `N passed, N failed` closing line; each project's Vitest prints its own
// `Tests  2 failed | 14 passed (16)` summary, so the whole run's line is their sum.

export interface TestTally {
  passed: number;
  failed: number;
  skipped: number;
}

const ANSI = /\u001b\[[0-9;]*m/g;
const SUMMARY = /\bTests\s+((?:\d+ [a-z]+(?:\s*\|\s*)?)+)\s*\(\d+\)/;

export function emptyTally(): TestTally {
  return { passed: 0, failed: 0, skipped: 0 };
}

/** Adds one output line's Vitest summary, if it is one, to the tally. */
export function addSummaryLine(tally: TestTally, line: string): void {
  const match = SUMMARY.exec(line.replace(ANSI, ''));
  if (!match) return;
  for (const part of (match[1] as string).split('|')) {
    const [count, kind] = part.trim().split(' ');
    const n = Number(count);
    if (kind === 'passed') tally.passed += n;
    else if (kind === 'failed') tally.failed += n;
    else if (kind === 'skipped') tally.skipped += n;
  }
}

export function formatTally(tally: TestTally): string {
  const skipped = tally.skipped > 0 ? `, ${tally.skipped} skipped` : '';
  return `tests: ${tally.passed} passed, ${tally.failed} failed${skipped}`;
}
