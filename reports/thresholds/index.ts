/** Public surface of absolute thresholds: parse `p95<100ms`, evaluate against a report. */
export { parseThreshold, type Threshold } from './parse-threshold.js';
export { evaluateThresholds } from './evaluate-thresholds.js';
export { THRESHOLD_METRICS } from './metrics.js';
export { checkThresholdsApply, type MeasuredScope } from './check-applicable.js';
