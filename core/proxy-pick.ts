import { seededUniform } from './seeded-random.js';

/**
 * How a worker spreads requests over a pool of proxies of one kind (`--proxy-pick`):
 * - `round-robin`: member 0, 1, …, n−1, 0, … — each member gets an equal share (±1 per worker);
 * - `random`: a uniform draw per request from a stream seeded by `--seed` (reproducible);
 * - `weighted`: smooth weighted round-robin over the members' `#weight=N` — deterministic, and
 *   over every cycle of (sum of weights) requests each member gets exactly its weight.
 */
export type ProxyPick = 'round-robin' | 'random' | 'weighted';

/** Every pick policy, in the order `--help` lists them. */
export const PROXY_PICKS: readonly ProxyPick[] = ['round-robin', 'random', 'weighted'];

/** The default pick policy. */
export const DEFAULT_PROXY_PICK: ProxyPick = 'round-robin';

/** True when `value` names a {@link ProxyPick}. */
export function isProxyPick(value: string): value is ProxyPick {
  return (PROXY_PICKS as readonly string[]).includes(value);
}

/** Picks the position, within its pool, of the member the next request goes through. */
export interface MemberPicker {
  next(): number;
}

/** Salt of the random pick's stream, so it never shares a sequence with the mix or the backoff jitter. */
const PICK_STREAM_SALT = 0x51ed_270b;

/**
 * A picker over a pool whose members have `weights` (whole numbers ≥ 1, one per member).
 *
 * @param seed the worker's seed; only `random` draws from it
 */
export function createMemberPicker(pick: ProxyPick, weights: readonly number[], seed: number): MemberPicker {
  const size = weights.length;
  if (size === 0) throw new RangeError('a pool has at least one member');
  if (size === 1) return { next: () => 0 };
  switch (pick) {
    case 'round-robin': {
      let position = -1;
      return { next: () => (position = (position + 1) % size) };
    }
    case 'random': {
      const uniform = seededUniform(seed ^ PICK_STREAM_SALT);
      return { next: () => Math.min(size - 1, Math.floor(uniform() * size)) };
    }
    case 'weighted':
      return smoothWeighted(weights);
  }
}

/**
 * Smooth weighted round-robin (as nginx spreads upstreams): each pick adds every member's weight to
 * its running score, takes the highest score (the first on a tie) and lowers it by the total. Over
 * every cycle of `total` picks member i is taken exactly weights[i] times, interleaved rather than
 * in runs, so any prefix of the sequence is within a few picks of the ratio.
 */
function smoothWeighted(weights: readonly number[]): MemberPicker {
  const total = weights.reduce((sum, w) => sum + w, 0);
  const scores = weights.map(() => 0);
  return {
    next: () => {
      let best = 0;
      for (let i = 0; i < weights.length; i++) {
        scores[i]! += weights[i]!;
        if (scores[i]! > scores[best]!) best = i;
      }
      scores[best]! -= total;
      return best;
    },
  };
}
