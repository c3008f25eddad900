/**
 * A series that keeps every point until it holds `maxPoints`, then halves its resolution (keeps
 * every other point, and from then on every other new one), as often as needed. A soak of any
 * length thus keeps at most `maxPoints` points (docs/measurement.md §9) still spread over the whole run.
 */
export class BoundedSeries<T> {
  private points: T[] = [];
  /** Keep one point in `stride`. */
  private stride = 1;
  private offered = 0;

  /** @param maxPoints at most this many points are held (at least 2). */
  constructor(private readonly maxPoints: number) {
    if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new RangeError(`maxPoints must be an integer ≥ 2 (got ${maxPoints})`);
  }

  /** Offers the next point; it is kept when it falls on the current stride. */
  push(point: T): void {
    const index = this.offered++;
    if (index % this.stride !== 0) return;
    this.points.push(point);
    if (this.points.length >= this.maxPoints) {
      this.points = this.points.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  /** The points kept, oldest first. */
  toArray(): readonly T[] {
    return [...this.points];
  }
}
