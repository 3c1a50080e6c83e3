import { describe, expect, it } from 'vitest';
import { renderReportHtml } from './report-html.ts';
import { sampleReport } from './sample-run.ts';

const embeddedReport = (html: string): unknown => {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match?.[1]) throw new Error('the page embeds no report');
  return JSON.parse(match[1]);
};

describe('renderReportHtml', () => {
  it('embeds the report as JSON that reads back as the same report', () => {
    const report = sampleReport();
    expect(embeddedReport(renderReportHtml(report))).toEqual(report);
  });

  it('keeps text from the run inside the JSON, whatever it holds', () => {
    const hostile = '</script><script>document.title="owned"</script><!--';
    const report = { ...sampleReport(), scenario: hostile, failures: [hostile], errors: { [hostile]: 1 } };
    const html = renderReportHtml(report);
    expect(html).not.toContain('<script>document.title="owned"');
    expect(embeddedReport(html)).toEqual(report);
  });

  it('is one self-contained file: no script, stylesheet or image loaded from elsewhere', () => {
    const html = renderReportHtml(sampleReport());
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/<link[^>]*rel="stylesheet"/i);
    expect(html).not.toContain('<!-- inline:');
    expect(html).toContain('var uPlot=');
    expect(html).toContain('PlexusCharts');
    expect(html).toContain('.uplot');
  });

  it('keeps a `$` in the report as it is, not as a replacement pattern', () => {
    const report = { ...sampleReport(), scenario: "cost $& and $' and $1" };
    expect(embeddedReport(renderReportHtml(report))).toMatchObject({ scenario: "cost $& and $' and $1" });
  });
});
