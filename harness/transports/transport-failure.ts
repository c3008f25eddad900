import type { ErrorCause } from '../../core/error-cause.js';

/**
 * An error the transports raise on purpose, already classified: a connect function that met a
 * refused port, a 407 to CONNECT, a SOCKS5 refusal, a phase timeout or a wrong body. It travels
 * through undici (a connect callback's error, or `controller.abort(reason)`) and comes back to the
 * request's handler unchanged, which then reads its cause instead of guessing from a message.
 *
 * Its `code` must not be `UND_ERR_SOCKET` or `UND_ERR_INFO`: undici treats those connect errors as
 * recoverable and would retry the connection forever instead of failing the queued request.
 */
export class TransportFailure extends Error {
  /** Stable code, in the style of undici's `UND_ERR_*`. */
  readonly code = 'PB_ERR_TRANSPORT';

  /**
   * @param failureCause the report's cause for this failure
   * @param detail short text for the report (never holds credentials)
   */
  constructor(
    readonly failureCause: ErrorCause,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'TransportFailure';
  }
}
