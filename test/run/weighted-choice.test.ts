import { describe, expect, it } from 'vitest';
import { WeightedChoice } from '../../harness/workers/weighted-choice.js';

describe('weighted choice of request kinds', () => {
  it('follows the weights of the http-mixed scenario within half a point over 100k picks', () => {
    const weights = [60, 15, 10, 15];
    const choice = new WeightedChoice(weights, 42);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 100_000; i++) counts[choice.next()]!++;
    counts.forEach((n, i) => expect(Math.abs(n / 1000 - weights[i]!)).toBeLessThan(0.5));
  });

  it('repeats the same sequence for the same seed and differs for another', () => {
    const seq = (seed: number): number[] => {
      const c = new WeightedChoice([1, 1, 1], seed);
      return Array.from({ length: 50 }, () => c.next());
    };
    expect(seq(7)).toEqual(seq(7));
    expect(seq(7)).not.toEqual(seq(8));
  });
});
