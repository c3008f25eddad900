/** Public surface of `compare`: compare two reports, tolerances, and the console table. */
export {
  compareReports,
  type CompareOptions,
  type Comparison,
  type MetricComparison,
  type ReportIdentity,
  type Verdict,
} from './compare-reports.js';
export { DEFAULT_TOLERANCES, isTolerance } from './tolerances.js';
export { formatComparisonTable } from './format-comparison.js';
