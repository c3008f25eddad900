/**
 * Seeded random variates for the tail bootstrap (tail-tests.ts). Seeded so that comparing the same
 * two reports twice gives the same verdict: a CI gate must not flip between reruns of `compare`.
 */

/** A source of uniform numbers in [0, 1). */
export type Uniform = () => number;

/** A standard normal variate (Box–Muller; one of the pair is enough here). */
export function standardNormal(uniform: Uniform): number {
  // 1 − u keeps the logarithm's argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * A Gamma(shape, 1) variate for shape ≥ 1 (Marsaglia and Tsang 2000, "A simple method for
 * generating gamma variables"): about 1.03 tries per variate at any shape, so millions cost the
 * same as ten.
 */
export function gammaVariate(shape: number, uniform: Uniform): number {
  if (!(shape >= 1)) throw new RangeError(`gamma shape must be ≥ 1 (got ${shape})`);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = standardNormal(uniform);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - uniform();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Beta(a, b) variate for a, b ≥ 1, as X / (X + Y) of two gamma variates. */
export function betaVariate(a: number, b: number, uniform: Uniform): number {
  const x = gammaVariate(a, uniform);
  const y = gammaVariate(b, uniform);
  return x / (x + y);
}
