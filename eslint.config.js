// typescript-eslint's recommended type-aware rules over the sources, and the import rules between
// the code's rooms (docs/architecture.md): each room lists the rooms it must not import, so an
// arrow that runs the wrong way fails `npm run lint` (and so CI). dist/ is build output.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The engine's rooms under harness/. */
const ENGINE = ['transports', 'load', 'recorder', 'sut', 'hold', 'workers', 'config', 'report-assembly', 'run', 'cli'];

/** Every room, with the rooms (or folders) it must not import and why. */
const ROOMS = [
  { room: 'core', files: ['core/**/*.ts'], forbid: ['harness', 'reports', 'scenarios', 'mock-targets'], why: 'core/ holds the shared words and imports no other room' },
  { room: 'scenarios', files: ['scenarios/**/*.ts'], forbid: ['harness', 'reports', 'mock-targets'], why: 'scenarios are data: they import only core/' },
  { room: 'mock-targets', files: ['mock-targets/**/*.ts'], forbid: ['harness', 'reports', 'scenarios'], why: 'the targets import nothing of the engine' },
  { room: 'reports', files: ['reports/**/*.ts'], forbid: ['harness', 'mock-targets', 'scenarios'], why: 'reports import nothing of the engine' },
  { room: 'transports', files: ['harness/transports/**/*.ts'], forbid: [...ENGINE.filter((r) => r !== 'transports'), 'mock-targets', 'scenarios', 'reports'], why: 'a transport sees only core/: never the load model, the targets, the scenarios or the reports' },
  { room: 'load', files: ['harness/load/**/*.ts'], forbid: [...ENGINE.filter((r) => r !== 'load'), 'mock-targets', 'scenarios', 'reports'], why: 'the load model is pure: it imports only core/' },
  { room: 'recorder', files: ['harness/recorder/**/*.ts'], forbid: [...ENGINE.filter((r) => r !== 'recorder'), 'mock-targets', 'scenarios'], why: 'the recorder counts outcomes (core/) into report figures; it imports no transport' },
  { room: 'sut', files: ['harness/sut/**/*.ts'], forbid: [...ENGINE.filter((r) => r !== 'sut'), 'mock-targets', 'scenarios'], why: 'SUT sampling stands on core/ and the report schema alone' },
  { room: 'hold', files: ['harness/hold/**/*.ts'], forbid: ['load', 'workers', 'report-assembly', 'run', 'cli', 'sut', 'mock-targets', 'scenarios'], why: 'the hold engine is a peer of the load model' },
  { room: 'workers', files: ['harness/workers/**/*.ts'], forbid: ['hold', 'report-assembly', 'run', 'cli', 'sut', 'mock-targets', 'scenarios'], why: 'workers run the load; orchestration is above them' },
  { room: 'config', files: ['harness/config/**/*.ts'], forbid: ['transports', 'recorder', 'hold', 'workers', 'report-assembly', 'run', 'cli', 'mock-targets'], why: 'the run config is resolved before any engine part runs' },
  { room: 'report-assembly', files: ['harness/report-assembly/**/*.ts'], forbid: ['transports', 'load', 'hold', 'workers', 'run', 'cli', 'mock-targets', 'scenarios'], why: 'report assembly turns recorded figures into a report; it runs nothing' },
  { room: 'run', files: ['harness/run/**/*.ts'], forbid: ['cli'], why: 'orchestration is the library: the CLI sits on it, not under it' },
  { room: 'cli', files: ['harness/cli/**/*.ts'], forbid: ['mock-targets', 'hold', 'workers', 'recorder', 'report-assembly'], why: 'the CLI maps flags onto the library (harness/run, reports) and prints' },
];

/** Outside harness/transports/, only its index.ts (its public surface) may be imported. */
const TRANSPORT_INTERNALS = { group: ['**/transports/*', '!**/transports/index.js'], message: 'import the transports through harness/transports/index.js, their one public entry' };

const roomRules = ROOMS.map(({ room, files, forbid, why }) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [
        { group: forbid.map((r) => `**/${r}/**`), message: `${why} (room ${room}; docs/architecture.md)` },
        ...(room === 'transports' ? [] : [TRANSPORT_INTERNALS]),
      ],
    }],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', '**/node_modules/**', 'coverage/**', 'reports/writers/vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...roomRules,
);
