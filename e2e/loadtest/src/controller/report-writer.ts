import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from '../contracts/report.ts';
import { renderReportHtml } from '../dashboard/report-html.ts';

/** Writes `<outDir>/<run id>/report.json` and `report.html`; returns the directory. */
export async function writeReport(outDir: string, report: Report): Promise<string> {
  const directory = join(outDir, report.runId);
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(directory, 'report.html'), renderReportHtml(report));
  return directory;
}
