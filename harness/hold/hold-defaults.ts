/** Tunables of the hold phase (issue #5, `many-connections`). */
export const HOLD_DEFAULTS = {
  /**
   * Connections being opened at once. Enough to open thousands in a second or two on loopback,
   * few enough that a burst never overflows a proxy's listen backlog (often 128) and turns into
   * SYN retries that would be timed as slow connects.
   */
  openConcurrency: 64,
  /** File descriptors the harness needs besides one per held connection (Node itself, stdio, IPC, the report). */
  reserveFds: 64,
  /** Body of a trickle request when the scenario's mix does not say, bytes. */
  trickleBodyBytes: 16,
  /** RSS samples over the second half of the hold; their median is the held RSS (one GC pause cannot move a median). */
  plateauSamples: 5,
} as const;
