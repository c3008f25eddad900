import { UsageError } from '../../core/errors.js';
import type { Threshold } from './parse-threshold.js';

/** What a run will measure, as far as thresholds care: known before the load starts. */
export interface MeasuredScope {
  readonly scenario: string;
  /** The request kinds of the scenario's mix (`byKind` keys). */
  readonly kinds: readonly string[];
  /** True when the proxy's process will be sampled (embedded proxies, `--sut` or `--sut-pid`). */
  readonly sutSampled: boolean;
  /** True for a hold run (`many-connections`), the only one with `held.*` figures. */
  readonly holds: boolean;
}

/**
 * Refuses, before any load, a threshold that could only be judged after the run as "not measured":
 * a request kind the scenario does not have (a typo such as `get-1kk.p99`), a `sut.*` figure when
 * no process is sampled, a `held.*` figure outside a hold run. A CI gate that silently cannot be
 * evaluated is worse than one that refuses to start.
 *
 * @throws UsageError naming `field` and saying what would apply
 */
export function checkThresholdsApply(thresholds: readonly Threshold[], scope: MeasuredScope, field = '--threshold'): void {
  for (const t of thresholds) {
    if (t.kind !== undefined && !scope.kinds.includes(t.kind)) {
      throw new UsageError(field, `'${t.expression}' names request kind '${t.kind}', which scenario '${scope.scenario}' does not have; its kinds: ${scope.kinds.join(', ')}`);
    }
    if (t.metric.startsWith('sut.') && !scope.sutSampled) {
      throw new UsageError(field, `'${t.expression}' needs the proxy's process sampled: add --sut "<command>" or --sut-pid PID (or give no --proxy to use the embedded proxies)`);
    }
    if (t.metric.startsWith('held.') && !scope.holds) {
      throw new UsageError(field, `'${t.expression}' applies only to hold scenarios such as many-connections; '${scope.scenario}' runs a request loop`);
    }
  }
}
