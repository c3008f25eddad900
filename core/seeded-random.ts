/**
 * A seeded source of uniform numbers in [0, 1) (mulberry32: a small, fast 32-bit generator), for
 * everything that must come out the same from the same seed: the backoff jitter, the tail
 * bootstrap of `compare` (a CI gate must not flip between reruns), and the test fixtures' data.
 *
 * @param seed any number; only its low 32 bits count
 */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}
