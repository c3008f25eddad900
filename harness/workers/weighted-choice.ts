/**
 * Picks request kinds by weight with a seeded PRNG (xorshift32), so a run's mix is reproducible
 * per worker and costs a few arithmetic operations per request.
 */
export class WeightedChoice {
  private readonly cumulative: Float64Array;
  private state: number;

  /** @param weights positive relative weights, one per kind; @param seed any 32-bit integer */
  constructor(weights: readonly number[], seed: number) {
    if (weights.length === 0) throw new RangeError('at least one weight is needed');
    this.cumulative = new Float64Array(weights.length);
    const total = weights.reduce((sum, w) => sum + w, 0);
    let acc = 0;
    weights.forEach((w, i) => {
      acc += w / total;
      this.cumulative[i] = acc;
    });
    this.cumulative[weights.length - 1] = 1;
    this.state = seed >>> 0 || 0x2545f491;
  }

  /** A uniform number in [0, 1). */
  random(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x1_0000_0000;
  }

  /** The index of the next kind. */
  next(): number {
    const r = this.random();
    const c = this.cumulative;
    for (let i = 0; i < c.length; i++) if (r < c[i]!) return i;
    return c.length - 1;
  }
}
