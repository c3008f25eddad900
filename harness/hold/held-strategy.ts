import type { RequestOutcome } from '../../core/request.js';
import type { SetupTimings } from '../transports/index.js';

/** One held connection as the hold engine sees it, whatever it holds. */
export interface Held {
  /** False once it has ended, whoever ended it. */
  readonly isOpen: boolean;
  /** One trickle exchange on it (a tiny GET, or a message echoed); never rejects: failures are outcomes. */
  trickle(): Promise<RequestOutcome>;
  /** Ends it at the end of the hold (not counted as ended early). */
  close(): void;
}

/** One held connection, just opened, and its setup phases. */
export interface OpenedHeld {
  readonly held: Held;
  readonly timings: SetupTimings;
}

/**
 * How one kind of held connection is opened (hold-connections.ts does the rest: how many, how
 * fast, the hold, the trickle's pace, the tally). Opening rejects with a classified
 * TransportFailure; `onEndedEarly` is called once if the connection ends before `close()`.
 */
export interface HeldStrategy {
  open(onEndedEarly: () => void): Promise<OpenedHeld>;
}
