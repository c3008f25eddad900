import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** uPlot's browser build and stylesheet, as text to inline into a page. */
export interface UplotAssets {
  readonly script: string;
  readonly style: string;
}

/**
 * Reads uPlot's IIFE build and CSS from the installed package. Resolved at render time through
 * Node's resolver (uplot is a runtime dependency), so the page is self-contained and works offline
 * without a copy of uPlot vendored into this repository.
 */
export function readUplotAssets(): UplotAssets {
  const require = createRequire(import.meta.url);
  return {
    // `</script` cannot occur in uPlot's build today; escaping it keeps a future build from ending
    // the element early (the CSP hash is taken over the text as inlined, so it still matches).
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8').replace(/<\/(script)/gi, '<\\/$1'),
    style: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}
