import type { Report } from '../contracts/report.ts';
import { dashboardFiles, sharedScriptNames, stylesheetNames } from './dashboard-assets.ts';
import { dashboardErrors } from './errors.ts';

// The report page is one self-contained file: uPlot, the chart code shared with the live
// dashboard, the styles and the report itself are inlined, so it opens from disk (or from a CI
// artifact) with no server and no network.

function assetBody(name: string): string {
  const asset = dashboardFiles().assets.get(name);
  if (!asset) throw dashboardErrors.assetNotFound(name);
  return asset.body;
}

// Inside <script> and <style> the HTML parser ends the element at the first `</script` or
// `</style`, whatever the JavaScript or CSS around it means; `<\/` reads the same to both.
const inlineScript = (source: string): string => `<script>${source.replace(/<\/(script)/gi, '<\\/$1')}</script>`;
const inlineStylesheet = (source: string): string => `<style>${source.replace(/<\/(style)/gi, '<\\/$1')}</style>`;

/** JSON as the body of a `<script type="application/json">`: `<` escaped, so no value can close the element. */
const embeddedJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

export function renderReportHtml(report: Report): string {
  const styles = stylesheetNames.map((name) => inlineStylesheet(assetBody(name))).join('\n');
  const scripts = [
    `<script type="application/json" id="report-data">${embeddedJson(report)}</script>`,
    ...[...sharedScriptNames, 'report.js'].map((name) => inlineScript(assetBody(name)))
  ].join('\n');
  // Functions as replacements: a `$` in uPlot or in the report must not read as a pattern.
  return dashboardFiles()
    .reportTemplate.replace('<!-- inline: styles -->', () => styles)
    .replace('<!-- inline: scripts -->', () => scripts);
}
