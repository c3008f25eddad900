import type { CommandModule } from 'yargs';
import { formatComparisonTable } from '../../../reports/compare/format-comparison.js';
import { formatRunSummary } from '../../../reports/writers/console-summary.js';
import { runWithVerdict } from '../../run/run.js';
import { createProgressLine } from '../progress-line.js';
import { declareRunFlags, runOptionsFromFlags, type RunFlags } from '../run-flags.js';
import { onInterrupt } from '../interrupt.js';

/**
 * `proxybench run <scenario>`: maps the flags onto {@link runWithVerdict} (which checks them, runs,
 * writes the report and its views and compares with --baseline), prints the summary and passes
 * the verdict's exit code on: 0 done · 1 every request failed, a threshold failed or a regression
 * · 3 the run could not be carried out · 130 interrupted.
 */
export const runCommand: CommandModule<object, RunFlags> = {
  command: 'run <scenario>',
  describe: 'Run a scenario against a proxy and write a report',
  builder: (y) => declareRunFlags(y),
  handler: async (flags) => {
    const options = runOptionsFromFlags(flags);
    const interrupt = onInterrupt();
    const progress = flags.quiet ? undefined : createProgressLine(process.stderr);
    try {
      const verdict = await runWithVerdict({
        ...options,
        signal: interrupt.signal,
        ...(progress ? { onProgress: (p) => progress.update(p) } : {}),
      });
      progress?.clear();
      if (!flags.quiet) {
        const color = process.stdout.isTTY === true;
        console.log(formatRunSummary(verdict.report, { color }));
        if (verdict.comparison) console.log(formatComparisonTable(verdict.comparison, { color }));
        console.log(`Report written to ${flags.out}`);
      }
      process.exitCode = verdict.exitCode;
    } finally {
      progress?.clear();
      interrupt.dispose();
    }
  },
};
