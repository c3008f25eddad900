import { UsageError } from './errors.js';

/**
 * Parsers for the units users write on the command line and in scenario files: durations as
 * `500ms`, `10s`, `2m`, `1h` (a bare number is seconds) and sizes as `512`, `1KiB`, `64KiB`, `1MiB`
 * (a bare number is bytes). Each throws a {@link UsageError} naming the field.
 */

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
};

const NUMBER_WITH_UNIT = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/;

/** Parses a duration into milliseconds. A bare number means seconds. */
export function parseDurationMs(field: string, input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new UsageError(field, `expects a duration such as 500ms, 10s or 2m (got ${input})`);
    return input * 1000;
  }
  const match = NUMBER_WITH_UNIT.exec(input);
  const unit = (match?.[2] ?? '').toLowerCase() || 's';
  const factor = DURATION_UNITS_MS[unit];
  if (!match || factor === undefined) {
    throw new UsageError(field, `expects a duration such as 500ms, 10s or 2m (got '${input}')`);
  }
  // Rounded to the microsecond: `2050.823s` must read back as 2050823 ms, not 2050822.9999999998.
  return Math.round(Number(match[1]) * factor * 1000) / 1000;
}

/** Parses a size into bytes. A bare number means bytes. */
export function parseSizeBytes(field: string, input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 0) throw new UsageError(field, `expects a size such as 512, 1KiB or 1MiB (got ${input})`);
    return input;
  }
  const match = NUMBER_WITH_UNIT.exec(input);
  const unit = (match?.[2] ?? '').toLowerCase() || 'b';
  const factor = SIZE_UNITS[unit];
  const bytes = match && factor !== undefined ? Number(match[1]) * factor : NaN;
  if (!Number.isInteger(bytes)) {
    throw new UsageError(field, `expects a size such as 512, 1KiB or 1MiB (got '${input}')`);
  }
  return bytes;
}

/** Formats milliseconds the way users write them (`500ms`, `10s`, `2m`, `1.5s`). */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}

/** Formats a byte count as `1KiB`, `64KiB`, `1MiB`, or plain bytes when not a whole unit. */
export function formatSizeBytes(bytes: number): string {
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024}KiB`;
  return `${bytes}B`;
}

/** Parses a positive integer flag (counts such as `--workers`, `--concurrency`). */
export function parsePositiveInt(field: string, input: string | number): number {
  const value = typeof input === 'number' ? input : Number(input);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(field, `expects a whole number ≥ 1 (got '${input}')`);
  return value;
}

/** Parses a non-negative number (rates, factors). */
export function parseNonNegative(field: string, input: string | number): number {
  const value = typeof input === 'number' ? input : Number(input);
  if (!Number.isFinite(value) || value < 0) throw new UsageError(field, `expects a number ≥ 0 (got '${input}')`);
  return value;
}
