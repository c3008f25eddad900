/** Tunables of the SUT lifecycle and its sampling (issue #5); `--help` prints them. */
export const SUT_DEFAULTS = {
  /** Time between two samples of the SUT's process tree, ms. */
  sampleIntervalMs: 250,
  /** How long a spawned SUT may take until its port accepts a connection, ms. */
  readyTimeoutMs: 10_000,
  /** Time between SIGTERM and SIGKILL when stopping a spawned SUT, ms. */
  stopGraceMs: 3_000,
  /** Leak verdict: RSS slope over the measured phase at least this, MiB per minute… */
  leakSlopeMiBPerMin: 1,
  /** …and a least-squares fit at least this good (R²)… */
  leakMinR2: 0.8,
  /** …and a slope of at least this fraction of the phase's starting RSS per minute (5 %)… */
  leakSlopeFractionOfStartPerMin: 0.05,
  /** …over at least this many samples (and a phase under a minute must have grown by a minute's worth). */
  leakMinSamples: 8,
  /**
   * …in a measured phase at least this long, ms. A runtime's heap settles for its first seconds
   * under load (the Node reference proxy grows 50 → 90 MiB over ~10 s, then stays flat): in a
   * shorter phase warm-up growth and a leak look the same, so no verdict is given.
   */
  leakMinSpanMs: 30_000,
  /** The report keeps at most this many samples (1 h at 250 ms); longer runs are thinned evenly. */
  maxReportSamples: 14_400,
} as const;
