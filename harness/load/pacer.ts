import type { Stage } from '../../core/scenario.js';
import { targetAt } from './stage-target.js';

/**
 * The open model's load model, shaped like vegeta's Pacer: a pure function of the hit number and
 * the elapsed time, so every pacing law is tested with numbers — no sockets, no clock.
 *
 * Hit `n` is due at the first instant the scheduled number of hits, ∫ rate dt, exceeds `n`: hit 0
 * is due at 0 (when the rate starts above 0), and a rate of 0 schedules nothing until it rises.
 */
export interface Pacer {
  /** When hit number `hit` (0-based) is due, ms after the start; undefined when the schedule has ended or rate is 0 forever after. */
  dueMs(hit: number): number | undefined;
  /** The scheduled rate (req/s) at `elapsedMs`. */
  rateAt(elapsedMs: number): number;
  /** Hits the schedule asks for in [0, elapsedMs). */
  hitsBy(elapsedMs: number): number;
}

/** A stretch of the schedule where the rate (req/s) moves linearly from `fromRate`. */
interface Segment {
  readonly startMs: number;
  /** Infinity for the tail that holds the last rate. */
  readonly durationMs: number;
  readonly fromRate: number;
  /** Half the rate's change per ms (req/s per ms ÷ 2), the quadratic term of the hits. */
  readonly halfSlope: number;
  /** Hits scheduled before the segment starts (fractional). */
  readonly hitsBefore: number;
  /** Hits scheduled by the end of the segment (Infinity for a tail with a rate above 0). */
  readonly hitsAfter: number;
}

/** A constant rate of `ratePerSecond` req/s: hit n is due at n · 1000 / rate ms. */
export function constantPacer(ratePerSecond: number): Pacer {
  return stagedPacer(ratePerSecond, []);
}

/**
 * A rate that starts at `initialRate` req/s and ramps linearly through `stages` (targets in
 * req/s), then holds the last rate. Due times are exact: within a ramp the scheduled hits grow as
 * a quadratic in time, which `dueMs` inverts in closed form.
 *
 * @throws RangeError on a negative or non-finite rate or duration (validated at the edge; a bug here)
 */
export function stagedPacer(initialRate: number, stages: readonly Stage[]): Pacer {
  const segments = buildSegments(initialRate, stages);
  const dueMs = (hit: number): number | undefined => {
    for (const segment of segments) {
      if (segment.hitsAfter > hit) return segment.startMs + offsetOfHitMs(segment, hit);
    }
    return undefined;
  };
  const hitsBy = (elapsedMs: number): number => {
    if (elapsedMs <= 0) return 0;
    // ceil(∫ rate) counts the hits due before `elapsedMs`; float rounding can put it one off the
    // answer dueMs gives, and the two must agree, so settle the last step with dueMs itself.
    let hits = Math.ceil(scheduledHitsAt(segments, elapsedMs));
    for (let step = 0; step < 2 && hits > 0 && !isDueBefore(dueMs(hits - 1), elapsedMs); step++) hits--;
    for (let step = 0; step < 2 && isDueBefore(dueMs(hits), elapsedMs); step++) hits++;
    return hits;
  };
  return { dueMs, hitsBy, rateAt: (elapsedMs) => targetAt(initialRate, stages, elapsedMs) };
}

function isDueBefore(dueMs: number | undefined, elapsedMs: number): boolean {
  return dueMs !== undefined && dueMs < elapsedMs;
}

function buildSegments(initialRate: number, stages: readonly Stage[]): Segment[] {
  const segments: Segment[] = [];
  let startMs = 0;
  let fromRate = initialRate;
  let hitsBefore = 0;
  checkFinite('rate', initialRate);
  for (const { durationMs, target } of stages) {
    checkFinite('rate', target);
    checkFinite('stage duration', durationMs);
    const hitsAfter = hitsBefore + ((fromRate + target) / 2) * (durationMs / 1000);
    // A 0 ms stage is a step: it schedules no hits, so its slope never matters (and would be ±∞).
    const halfSlope = durationMs > 0 ? (target - fromRate) / (2 * durationMs) : 0;
    segments.push({ startMs, durationMs, fromRate, halfSlope, hitsBefore, hitsAfter });
    startMs += durationMs;
    fromRate = target;
    hitsBefore = hitsAfter;
  }
  const tailHits = fromRate > 0 ? Infinity : hitsBefore;
  segments.push({ startMs, durationMs: Infinity, fromRate, halfSlope: 0, hitsBefore, hitsAfter: tailHits });
  return segments;
}

function checkFinite(what: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`pacer: ${what} must be a finite number ≥ 0 (got ${value})`);
}

/**
 * Smallest offset s (ms) into `segment` at which the scheduled hits exceed `hit`, i.e. the root of
 * a·s² + b·s = c with b the rate at the start (req/s), a its half slope and c the hits still owed
 * × 1000 (hits are ∫ rate over seconds, offsets are in ms). Written as 2c / (b + √(b² + 4ac)), which holds for rising, falling and flat
 * rates and does not cancel when a is tiny.
 */
function offsetOfHitMs(segment: Segment, hit: number): number {
  const owed = (hit - segment.hitsBefore) * 1000;
  if (owed <= 0) return 0;
  const { fromRate: b, halfSlope: a } = segment;
  const offsetMs = (2 * owed) / (b + Math.sqrt(Math.max(0, b * b + 4 * a * owed)));
  return Math.min(offsetMs, segment.durationMs);
}

/** ∫ rate dt over [0, elapsedMs), in hits (fractional). */
function scheduledHitsAt(segments: readonly Segment[], elapsedMs: number): number {
  for (const segment of segments) {
    const offsetMs = elapsedMs - segment.startMs;
    if (offsetMs < segment.durationMs) {
      return segment.hitsBefore + (segment.fromRate * offsetMs + segment.halfSlope * offsetMs * offsetMs) / 1000;
    }
  }
  return segments.at(-1)?.hitsBefore ?? 0; // unreachable: the tail is infinite
}
