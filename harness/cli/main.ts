#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { exitCodeFor, EXIT_CODES, ProxybenchError, SutError } from '../../core/errors.js';
import { redactProxyUrl } from '../../core/proxy-url.js';
import { toolVersion } from '../../core/tool-version.js';
import { compareCommand } from './commands/compare.js';
import { mergeCommand } from './commands/merge.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { scenariosCommand } from './commands/scenarios.js';
import { targetsCommand } from './commands/targets.js';

/**
 * The `proxybench` command. It only parses flags and calls the library (docs/architecture.md); every failure
 * becomes one line on stderr and a documented exit code, never a stack trace (set
 * PROXYBENCH_DEBUG=1 to see one).
 */
async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('proxybench')
    .usage('$0 <command> [options]')
    .command(runCommand)
    .command(scenariosCommand)
    .command(compareCommand)
    .command(mergeCommand)
    .command(reportCommand)
    .command(targetsCommand)
    .demandCommand(1, 'name a command: run, scenarios, compare, merge, report or targets')
    .strict()
    .version(toolVersion())
    .help()
    .alias('h', 'help')
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .epilogue('Exit codes: 0 done/no regression · 1 thresholds failed, regression, or every request failed · 2 bad usage · 3 the run could not be carried out · 130 interrupted (partial report written)')
    .fail((message, err) => {
      throw err ?? new YargsUsageError(message);
    })
    .parseAsync();
}

/** A yargs-level usage problem (unknown flag, missing argument). */
class YargsUsageError extends ProxybenchError {
  constructor(message: string) {
    super('PB_ERR_USAGE', message);
  }
}

main(hideBin(process.argv)).catch((err: unknown) => {
  if (process.env.PROXYBENCH_DEBUG) console.error(err);
  if (err instanceof ProxybenchError) {
    console.error(`proxybench: ${redactProxyUrl(err.message.split('\n')[0] ?? '')}`);
    if (err instanceof SutError && err.stderrTail) console.error(err.stderrTail);
  } else {
    console.error(`proxybench: internal error: ${redactProxyUrl(String((err as Error)?.message ?? err).split('\n')[0] ?? '')} (PROXYBENCH_DEBUG=1 shows more)`);
  }
  process.exitCode = err instanceof ProxybenchError ? exitCodeFor(err) : EXIT_CODES.couldNotRun;
});
