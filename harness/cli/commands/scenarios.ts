import type { CommandModule } from 'yargs';
import { BUILT_IN_SCENARIOS } from '../../../scenarios/catalog.js';
import { formatDurationMs } from '../../../core/units.js';

/** `proxybench scenarios`: the built-in scenarios, one line each. */
export const scenariosCommand: CommandModule = {
  command: 'scenarios',
  describe: 'List the built-in scenarios',
  handler: () => {
    const width = Math.max(...BUILT_IN_SCENARIOS.map((s) => s.name.length));
    for (const s of BUILT_IN_SCENARIOS) {
      const d = s.defaults;
      const load = d.rate !== undefined ? `${d.rate} req/s` : `${d.concurrency} in flight`;
      console.log(`${s.name.padEnd(width)}  ${s.description} [${load}, ${formatDurationMs(d.durationMs)} after ${formatDurationMs(d.warmupMs)} warm-up]`);
    }
  },
};
