import type { OverheadBasis, ProxyOverhead } from '../schema.js';

/**
 * The words every writer uses for how a proxy overhead was computed, so the console, Markdown and
 * HTML say the same thing.
 */

/** The basis of `overhead`; reports written before the field existed computed `latency`. */
export function overheadBasis(overhead: ProxyOverhead): OverheadBasis {
  return overhead.basis ?? 'latency';
}

/** A short phrase for the basis, e.g. `origin time subtracted`. */
export function overheadBasisText(overhead: ProxyOverhead): string {
  return overheadBasis(overhead) === 'minus-origin' ? 'origin time subtracted' : 'latency difference';
}
