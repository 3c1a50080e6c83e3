import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// The files the live dashboard and the report page are made of. They are read once, on first use,
// and kept in memory: a few hundred KB that every page load and every report needs.

export interface DashboardAsset {
  readonly contentType: string;
  readonly body: string;
}

export interface DashboardFiles {
  /** Every asset by the name a page asks for under `assets/`. */
  readonly assets: ReadonlyMap<string, DashboardAsset>;
  readonly dashboardPage: string;
  /** The report page with `<!-- inline: styles -->` and `<!-- inline: scripts -->` still to fill. */
  readonly reportTemplate: string;
}

/** Scripts both pages load, in order: each needs the ones before it. */
export const sharedScriptNames = ['uPlot.iife.min.js', 'format.js', 'charts.js', 'tables.js'] as const;
export const stylesheetNames = ['uPlot.min.css', 'dashboard.css'] as const;

const javascript = 'text/javascript; charset=utf-8';
const stylesheet = 'text/css; charset=utf-8';

const resolveModule = createRequire(import.meta.url).resolve;
const staticFile = (name: string): string => readFileSync(new URL(`./static/${name}`, import.meta.url), 'utf8');
const uplotFile = (name: string): string => readFileSync(resolveModule(`uplot/dist/${name}`), 'utf8');

let files: DashboardFiles | undefined;

export function dashboardFiles(): DashboardFiles {
  files ??= {
    assets: new Map<string, DashboardAsset>([
      ['uPlot.iife.min.js', { contentType: javascript, body: uplotFile('uPlot.iife.min.js') }],
      ['uPlot.min.css', { contentType: stylesheet, body: uplotFile('uPlot.min.css') }],
      ...['format.js', 'charts.js', 'tables.js', 'dashboard.js', 'report.js'].map(
        (name) => [name, { contentType: javascript, body: staticFile(name) }] as const
      ),
      ['dashboard.css', { contentType: stylesheet, body: staticFile('dashboard.css') }]
    ]),
    dashboardPage: staticFile('dashboard.html'),
    reportTemplate: staticFile('report.html')
  };
  return files;
}
