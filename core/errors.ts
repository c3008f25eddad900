/**
 * Errors proxybench raises on purpose. Each has a stable `code` (as undici's `UND_ERR_*`), so the CLI
 * can map it to an exit code and a one-line message, and API users can branch on it.
 */

/** Stable error codes. */
export type ProxybenchErrorCode =
  | 'PB_ERR_USAGE'
  | 'PB_ERR_REPORT'
  | 'PB_ERR_SUT'
  | 'PB_ERR_SETUP'
  | 'PB_ERR_INTERRUPTED';

/** Base class: a message meant for a person, one line, no stack needed. */
export class ProxybenchError extends Error {
  readonly code: ProxybenchErrorCode;
  constructor(code: ProxybenchErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad input at an edge (flag, API option, scenario field, threshold expression). `field` names what to fix. */
export class UsageError extends ProxybenchError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('PB_ERR_USAGE', `${field}: ${message}`);
    this.field = field;
  }
}

/** A report file that cannot be read, or reports that cannot be compared or merged. */
export class ReportError extends ProxybenchError {
  constructor(message: string) {
    super('PB_ERR_REPORT', message);
  }
}

/** The system under test did not start, exited early, or never became ready. */
export class SutError extends ProxybenchError {
  /** Last lines the SUT wrote to stderr, for the person reading the error. */
  readonly stderrTail: string;
  constructor(message: string, stderrTail = '') {
    super('PB_ERR_SUT', message);
    this.stderrTail = stderrTail;
  }
}

/** The run could not be set up (a port could not be bound, a mock target failed to start). */
export class SetupError extends ProxybenchError {
  constructor(message: string) {
    super('PB_ERR_SETUP', message);
  }
}

/** Exit codes shared by every command (README's exit-code table). */
export const EXIT_CODES = {
  ok: 0,
  failed: 1,
  usage: 2,
  couldNotRun: 3,
  interrupted: 130,
} as const;

/** Maps an error to the exit code the CLI uses for it. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof ProxybenchError) {
    switch (err.code) {
      case 'PB_ERR_USAGE':
      case 'PB_ERR_REPORT':
        return EXIT_CODES.usage;
      case 'PB_ERR_SUT':
      case 'PB_ERR_SETUP':
        return EXIT_CODES.couldNotRun;
      case 'PB_ERR_INTERRUPTED':
        return EXIT_CODES.interrupted;
    }
  }
  return EXIT_CODES.couldNotRun;
}
