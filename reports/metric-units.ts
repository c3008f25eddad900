/**
 * Units of the figures a threshold or a comparison names, and the quantities users write for them
 * (`100ms`, `99%`, `512MiB`). One table serves parsing (thresholds, tolerances) and formatting
 * (console, Markdown, JUnit), so `p95<100ms` and the printed `100 ms` always mean the same number.
 */

/**
 * The report unit of a metric: `ratio` is 0..1 (successRate), `ms`/`us` durations, `percent` is
 * percent of one core, `mib` mebibytes, `mbps` megabits per second, `rps` requests per second, `cps` new connections per second,
 * `mps` verified echoed messages per second, `count` a plain count, `mibPerMin` an RSS slope.
 */
export type MetricUnit = 'ratio' | 'ms' | 'us' | 'percent' | 'mib' | 'mbps' | 'rps' | 'cps' | 'mps' | 'count' | 'mibPerMin';

/** Suffixes accepted per unit (lower case) and the factor that turns them into the report unit. */
const SUFFIX_FACTORS: Readonly<Record<MetricUnit, Readonly<Record<string, number>>>> = {
  ratio: { '': 1, '%': 0.01 },
  ms: { '': 1, us: 0.001, 'µs': 0.001, ms: 1, s: 1000, m: 60_000 },
  us: { '': 1, us: 1, 'µs': 1, ms: 1000, s: 1_000_000 },
  percent: { '': 1, '%': 1 },
  mib: { '': 1, kib: 1 / 1024, mib: 1, gib: 1024 },
  mbps: { '': 1, kbps: 0.001, mbps: 1, gbps: 1000 },
  rps: { '': 1, '/s': 1, rps: 1 },
  cps: { '': 1, '/s': 1 },
  mps: { '': 1, '/s': 1, 'msg/s': 1 },
  count: { '': 1 },
  mibPerMin: { '': 1, 'mib/min': 1 },
};

/** What a user may write for each unit, for error messages. */
const ACCEPTS: Readonly<Record<MetricUnit, string>> = {
  ratio: 'a fraction from 0 to 1 such as 0.99, or a percentage such as 99%',
  ms: 'a duration such as 250us, 100ms or 1.5s (a bare number is milliseconds)',
  us: 'a duration such as 500us or 2ms (a bare number is microseconds)',
  percent: 'a percentage of one core such as 150 or 150%',
  mib: 'a size such as 64, 64MiB or 1GiB (a bare number is MiB)',
  mbps: 'a rate such as 100, 100Mbps or 1Gbps (a bare number is Mbps)',
  rps: 'a number of requests per second such as 500',
  cps: 'a number of new connections per second such as 500',
  mps: 'a number of messages per second such as 10000',
  count: 'a whole count such as 0 or 10',
  mibPerMin: 'a number of MiB per minute such as 1',
};

const QUANTITY = /^(\d+(?:\.\d+)?|\.\d+)\s*(\S*)$/;

/** What {@link parseQuantity} accepts for `unit`, in words. */
export function describeQuantity(unit: MetricUnit): string {
  return ACCEPTS[unit];
}

/**
 * Parses a non-negative quantity written for a metric of `unit` into that unit
 * (`1.5s` → 1500 for `ms`, `99%` → 0.99 for `ratio`). Returns `undefined` when it is not one.
 */
export function parseQuantity(unit: MetricUnit, text: string): number | undefined {
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  const factor = SUFFIX_FACTORS[unit][(match[2] ?? '').toLowerCase()];
  if (factor === undefined) return undefined;
  return Number(match[1]) * factor;
}

/** A number with as many decimals as its size deserves (3 significant-ish digits, no trailing zeros). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : value < 0 ? '-∞' : 'n/a';
  const abs = Math.abs(value);
  const digits = abs >= 1000 || Number.isInteger(value) ? 0 : abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  const text = value.toFixed(digits);
  return digits === 0 ? text : text.replace(/\.?0+$/, '');
}

/** A value in its report unit as a person reads it: `12.5 ms`, `99.2%`, `48 MiB`. */
export function formatQuantity(unit: MetricUnit, value: number): string {
  switch (unit) {
    case 'ratio':
      return `${formatNumber(value * 100)}%`;
    case 'ms':
      return `${formatNumber(value)} ms`;
    case 'us':
      return `${formatNumber(value)} µs`;
    case 'percent':
      return `${formatNumber(value)}%`;
    case 'mib':
      return `${formatNumber(value)} MiB`;
    case 'mbps':
      return `${formatNumber(value)} Mbps`;
    case 'rps':
      return `${formatNumber(value)} req/s`;
    case 'cps':
      return `${formatNumber(value)} conn/s`;
    case 'mps':
      return `${formatNumber(value)} msg/s`;
    case 'count':
      return formatNumber(value);
    case 'mibPerMin':
      return `${formatNumber(value)} MiB/min`;
  }
}
