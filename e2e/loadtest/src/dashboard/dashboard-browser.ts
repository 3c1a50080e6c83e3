import { existsSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { dashboardErrors } from './errors.ts';

// Opens a dashboard or report page in real headless Chromium (Debian's `chromium` package), for
// the tests of the pages and the end-to-end smoke test of a run.

export const chromiumPath = '/usr/bin/chromium';

export interface ChromiumPage {
  page: Page;
  /** Console errors and uncaught exceptions of the page, collected from before it loaded. */
  consoleErrors: string[];
  close: () => Promise<void>;
}

export async function openInChromium(url: string, executablePath = chromiumPath): Promise<ChromiumPage> {
  if (!existsSync(executablePath)) throw dashboardErrors.chromiumMissing(executablePath);
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(url, { waitUntil: 'load' });
    return { page, consoleErrors, close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
