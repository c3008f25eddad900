import type { Stats } from '../schema.js';

/**
 * What a kind's label says about how its bodies were checked, when not byte for byte: a user's
 * own target is `verified: length only` (status and length) or `verified: sha256` (its digest).
 * Our own kinds, and those of reports written before the field existed, say nothing.
 */
export function verificationNote(stats: Stats): string {
  switch (stats.verification) {
    case 'length':
      return ' (verified: length only)';
    case 'sha256':
      return ' (verified: sha256)';
    default:
      return '';
  }
}
