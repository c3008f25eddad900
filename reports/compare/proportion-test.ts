import { normalTwoSidedP } from './distributions.js';

/** Result of a two-proportion test. */
export interface ProportionTestResult {
  /** (share after − share before) / standard error under the pooled share; positive when `after` is larger. */
  readonly z: number;
  readonly pValue: number;
}

/**
 * Two-proportion z-test (pooled): is `hitsAfter / trialsAfter` different from `hitsBefore /
 * trialsBefore`? Used for message loss, whose counts (lost of sent) are in the report while no
 * per-second series is. It takes the messages as independent trials, which bursty loss is not, so
 * it leans towards "significant"; the tolerance is what keeps a small move from being a regression.
 * Sound when each side expects at least a handful of hits and misses (callers check).
 */
export function twoProportionTest(hitsBefore: number, trialsBefore: number, hitsAfter: number, trialsAfter: number): ProportionTestResult {
  const pooled = (hitsBefore + hitsAfter) / (trialsBefore + trialsAfter);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / trialsBefore + 1 / trialsAfter));
  const difference = hitsAfter / trialsAfter - hitsBefore / trialsBefore;
  // No loss (or only loss) on both sides: the shares are equal and nothing varies.
  if (standardError === 0) return { z: 0, pValue: 1 };
  const z = difference / standardError;
  return { z, pValue: normalTwoSidedP(z) };
}
