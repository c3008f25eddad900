import { UsageError } from '../../core/errors.js';
import type { RequestMixEntry } from '../../core/scenario.js';
import { metricDefinition } from './metrics.js';
import type { Threshold } from './parse-threshold.js';
import { selectProxy } from './proxy-selector.js';

/** What a run will measure, as far as thresholds care: known before the load starts. */
export interface MeasuredScope {
  readonly scenario: string;
  /** The request kinds of the scenario's mix (`byKind` keys). */
  readonly kinds: readonly string[];
  /** The kinds whose operation exchanges messages ({@link messageKindsOf}); only they have `rtt.*`, `lossRate`… */
  readonly messageKinds: readonly string[];
  /** True when the proxy's process will be sampled (embedded proxies, `--sut` or `--sut-pid`). */
  readonly sutSampled: boolean;
  /** True for a hold run (`many-connections`), the only one with `held.*` figures. */
  readonly holds: boolean;
  /**
   * The proxies the run will drive, as the report's `config.proxies` will list them; undefined when
   * only their number is known before the load (the embedded proxies' ports). Absent with
   * `proxyCount`: proxy thresholds are not checked before the load.
   */
  readonly proxies?: readonly string[];
  /** How many proxies the run will drive. */
  readonly proxyCount?: number;
}

/** Operations that send messages and so fill a Stats block's message figures (reports/stats.ts). */
const MESSAGE_OPS: readonly string[] = ['tcp-echo', 'websocket', 'udp-echo'];

/** The kinds of a mix whose operation exchanges messages (`tcp-echo`, `websocket`, `udp-echo`). */
export function messageKindsOf(mix: readonly RequestMixEntry[]): string[] {
  return mix.filter((entry) => MESSAGE_OPS.includes(entry.operation.op)).map((entry) => entry.kind);
}

/**
 * Refuses, before any load, a threshold that could only be judged after the run as "not measured":
 * a request kind the scenario does not have (a typo such as `get-1kk.p99`), a `sut.*` figure when
 * no process is sampled, a `held.*` figure outside a hold run, a message figure (`rtt.p99`,
 * `lossRate`…) of a kind — or, for the total, a scenario — that exchanges no messages. A CI gate
 * that silently cannot be evaluated is worse than one that refuses to start.
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
    if (t.proxy !== undefined) checkProxyApplies(t, scope, field);
    if (t.metric.startsWith('held.') && !scope.holds) {
      throw new UsageError(field, `'${t.expression}' applies only to hold scenarios such as many-connections; '${scope.scenario}' runs a request loop`);
    }
    const problem = messageFigureProblem(t, scope);
    if (problem !== undefined) throw new UsageError(field, problem);
  }
}

/** Why a message figure cannot be measured in `scope` (`undefined` when it can, or is no message figure). */
export function messageFigureProblem(t: Threshold, scope: Pick<MeasuredScope, 'scenario' | 'messageKinds'>): string | undefined {
  const definition = metricDefinition(t.metric);
  if (definition?.scope !== 'stats' || definition.messageFigure !== true) return undefined;
  const which = 'only tcp-echo, websocket and udp-echo operations exchange messages';
  if (t.kind !== undefined) {
    if (scope.messageKinds.includes(t.kind)) return undefined;
    return `'${t.expression}' is a message figure, and request kind '${t.kind}' exchanges no messages (${which}); ` +
      (scope.messageKinds.length > 0 ? `kinds with messages: ${scope.messageKinds.join(', ')}` : `scenario '${scope.scenario}' has none`);
  }
  if (scope.messageKinds.length > 0) return undefined;
  return `'${t.expression}' is a message figure, and scenario '${scope.scenario}' has no kind that exchanges messages (${which})`;
}

/** A `proxy[…]` threshold names a proxy the run will drive: by position, or (given proxies) by address. */
function checkProxyApplies(t: Threshold, scope: MeasuredScope, field: string): void {
  const selector = t.proxy!;
  if (scope.proxies !== undefined) {
    const selected = selectProxy(selector, scope.proxies);
    if ('problem' in selected) throw new UsageError(field, `'${t.expression}': ${selected.problem}`);
    return;
  }
  if (scope.proxyCount === undefined) return;
  if (!/^\d+$/.test(selector)) {
    throw new UsageError(field, `'${t.expression}': the embedded proxies listen on addresses chosen when they start; name one by its position, e.g. proxy[0]`);
  }
  if (Number(selector) >= scope.proxyCount) {
    throw new UsageError(field, `'${t.expression}': the run drives ${scope.proxyCount} proxies (positions 0 to ${scope.proxyCount - 1})`);
  }
}
