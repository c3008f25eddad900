// The proxy under test as a measured process (issue #5): start or attach, sample, summarize.
export { attachSut } from './attached-sut.js';
export { sampleProcessTree, type ProcessTreeSample } from './process-tree-sampler.js';
export { spawnSut, type SpawnSutOptions, type SpawnedSut, type SutExit } from './spawned-sut.js';
export { formatCommand, splitCommand } from './split-command.js';
export { SUT_DEFAULTS, SutMonitor, type SutMonitorOptions } from './sut-monitor.js';
