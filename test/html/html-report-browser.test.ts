import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareReports } from '../../reports/compare/compare-reports.js';
import type { Report } from '../../reports/schema.js';
import { renderHtmlReport, type HtmlReportOptions } from '../../reports/writers/html.js';
import { echoReport } from '../support/echo-report.js';
import { htmlFixtureReport } from '../support/html-report-fixture.js';
import { CHROMIUM_PATH, chromiumInstalled, launchChromium, loadReportPage, type HeadlessBrowser } from '../support/report-browser.js';

// Under CI a missing browser is a broken image and must fail; on a workstation without chromium the
// suite is skipped, and says why in its name.
const skip = !chromiumInstalled() && process.env.CI !== 'true';
const suiteName = skip
  ? `the HTML report in a real browser (SKIPPED: no chromium at ${CHROMIUM_PATH}; apt-get install -y chromium)`
  : 'the HTML report in a real browser';

/** Screenshots land here (git-ignored) for a person to look at. */
const ARTIFACTS = fileURLToPath(new URL('../../artifacts/', import.meta.url));

const current = htmlFixtureReport();
const baseline = htmlFixtureReport({ seed: 7, latencyScale: 0.8, startedAt: '2025-04-30T09:00:00.000Z' });
// Hostile names: unescaped, the <img> would make a request and the scripts would open dialogs.
const hostileWithoutSut = htmlFixtureReport({
  withSut: false,
  scenario: '<img src="http://127.0.0.1:9/x.png" onerror="alert(1)">',
  kinds: [['</script><script>alert(2)</script>', 1.5, 200], ['get "quoted" & <b>bold</b>', 2, 100]],
});

const ALL_PLOTS = ['plot-percentiles', 'plot-rps', 'plot-latency', 'plot-errors', 'plot-sut-rss', 'plot-sut-cpu'];
// Message figures (an echo kind beside an HTTP one): the Messages table and the message columns of the before/after table.
const echoBaseline = echoReport({ seed: 3 });
const echoCurrent = echoReport({ seed: 4, lostPerSecond: [2, 0, 1, 0, 0] });

describe.skipIf(skip)(suiteName, () => {
  let browser: HeadlessBrowser;
  let pagesDir: string;
  beforeAll(async () => {
    browser = await launchChromium();
    pagesDir = mkdtempSync(join(tmpdir(), 'pb-html-'));
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    if (pagesDir) rmSync(pagesDir, { recursive: true, force: true });
  });

  it.each<[string, Report, HtmlReportOptions, string[]]>([
    ['report', current, {}, ALL_PLOTS],
    ['report-with-baseline', current, { baseline, comparison: compareReports(baseline, current) }, ALL_PLOTS],
    ['report-without-sut-with-hostile-names', hostileWithoutSut, {}, ALL_PLOTS.slice(0, 4)],
    ['report-with-messages', echoCurrent, { baseline: echoBaseline, comparison: compareReports(echoBaseline, echoCurrent) }, ALL_PLOTS.slice(0, 3)],
  ])('renders %s with every plot drawn, no console error and no request', async (name, report, options, plotIds) => {
    const htmlPath = join(pagesDir, `${name}.html`);
    writeFileSync(htmlPath, renderHtmlReport(report, options));
    const outcome = await loadReportPage(browser, htmlPath, join(ARTIFACTS, `html-${name}.png`));

    expect(outcome.problems).toEqual([]);
    expect(outcome.foreignRequests).toEqual([]);
    expect(outcome.plotsDrawn).toBe(plotIds.length);
    expect(outcome.canvases.map((c) => c.id)).toEqual(plotIds);
    for (const canvas of outcome.canvases) {
      expect(canvas.width, canvas.id).toBeGreaterThan(300);
      expect(canvas.height, canvas.id).toBeGreaterThan(200);
      expect(canvas.inkedRatio, canvas.id).toBeGreaterThan(0.005);
      for (const [line, pixels] of Object.entries(canvas.pixelsByLine)) {
        expect(pixels, `${canvas.id}: ${line}`).toBeGreaterThan(20);
      }
    }
  });
});
