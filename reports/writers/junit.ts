import type { Comparison, MetricComparison } from '../compare/compare-reports.js';
import { metricLabel, metricValueText, pValueText } from '../compare/metric-label.js';
import type { Report, ThresholdResult } from '../schema.js';

/**
 * JUnit XML for CI systems that show test results: each threshold and each compared metric is a
 * test case, and a failure carries the numbers (measured value and limit; before, after, change,
 * tolerance and p-value). A run in which every request failed is a failed case of its own, as it
 * is a failed command (exit 1).
 */
export function renderJunit(report: Report, comparison?: Comparison): string {
  const suites = [runSuite(report), thresholdSuite(report), ...(comparison ? [comparisonSuite(report, comparison)] : [])];
  const tests = suites.reduce((n, s) => n + s.tests, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="proxybench" tests="${tests}" failures="${failures}">`,
    ...suites.filter((s) => s.tests > 0).map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

interface Suite {
  readonly tests: number;
  readonly failures: number;
  readonly xml: string;
}

interface Case {
  readonly name: string;
  /** Failure message with the numbers; absent when the case passed. */
  readonly failure?: { readonly type: string; readonly message: string; readonly detail: string };
}

// XML 1.0 forbids most control characters even when escaped; drop them rather than emit bad XML.
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Escapes text for an XML attribute or element. */
function xml(text: string): string {
  return text
    .replace(INVALID_XML_CHARS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function suite(name: string, classname: string, report: Report, cases: readonly Case[]): Suite {
  const failures = cases.filter((c) => c.failure).length;
  const body = cases.map((c) => {
    const open = `    <testcase classname="${xml(classname)}" name="${xml(c.name)}" time="0"`;
    if (!c.failure) return `${open}/>`;
    const { type, message, detail } = c.failure;
    return `${open}>\n      <failure type="${xml(type)}" message="${xml(message)}">${xml(detail)}</failure>\n    </testcase>`;
  });
  const attributes = `name="${xml(name)}" tests="${cases.length}" failures="${failures}" errors="0" timestamp="${xml(report.startedAt)}" time="${(report.durationMs / 1000).toFixed(3)}"`;
  return { tests: cases.length, failures, xml: [`  <testsuite ${attributes}>`, ...body, '  </testsuite>'].join('\n') };
}

function runSuite(report: Report): Suite {
  const { requests, successes } = report.totals;
  const allFailed = requests > 0 && successes === 0;
  const failure = allFailed
    ? { type: 'all_failed', message: `all ${requests} requests failed`, detail: JSON.stringify(report.totals.errors) }
    : undefined;
  return suite(`proxybench run: ${report.scenario}`, 'proxybench.run', report, [{ name: 'some requests succeeded', ...(failure ? { failure } : {}) }]);
}

function thresholdCase(t: ThresholdResult): Case {
  if (t.passed) return { name: t.expression };
  const scope = t.kind !== undefined ? `${t.kind}.${t.metric}` : t.metric;
  // A gate that failed for a reason other than its value (latency with too many failures) says so.
  const message = t.reason !== undefined
    ? t.reason
    : `${scope} = ${metricValueText(t.metric, t.value)}, required ${t.op} ${metricValueText(t.metric, t.limit)}`;
  return { name: t.expression, failure: { type: 'threshold', message, detail: `${t.expression}: ${message}` } };
}

function thresholdSuite(report: Report): Suite {
  return suite(`proxybench thresholds: ${report.scenario}`, 'proxybench.thresholds', report, report.thresholds.map(thresholdCase));
}

function comparisonCase(m: MetricComparison): Case {
  const name = `${m.scope} ${metricLabel(m.metric)}`;
  if (m.verdict !== 'regression') return { name };
  const message =
    `${name} regressed: ${metricValueText(m.metric, m.before)} → ${metricValueText(m.metric, m.after)} ` +
    `(${m.changeText}, tolerance ${m.tolerance}, p ${pValueText(m.pValue, m.significant)})`;
  return { name, failure: { type: 'regression', message, detail: message } };
}

function comparisonSuite(report: Report, comparison: Comparison): Suite {
  const name = `proxybench compare: ${comparison.current.scenario} vs baseline ${comparison.baseline.startedAt}`;
  return suite(name, 'proxybench.compare', report, comparison.metrics.map(comparisonCase));
}
