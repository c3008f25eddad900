import type { MessageTally } from '../../../core/exchange.js';
import { elapsedUs } from '../connection-setup.js';

/** What an echoed probe turned out to be. */
export type EchoReading =
  /** The first echo of a datagram that was sent: its round trip, µs. */
  | { readonly kind: 'first'; readonly rttUs: number }
  /** Another echo of a datagram already received. */
  | { readonly kind: 'duplicate' }
  /** A sequence number that was never sent: the proxy made it up or damaged it. */
  | { readonly kind: 'unsent' };

/**
 * Counts one association's probes (core/exchange.ts MessageTally): sent, received (distinct),
 * duplicates, and reordered — a first echo that arrives after the echo of a higher sequence number.
 * It keeps each datagram's send time and whether its echo came, in typed arrays sized by the
 * operation's `datagrams`: 9 bytes per datagram, bounded because a scenario's `datagrams` is
 * (scenarios/validate-scenario.ts), allocated once per session and never grown.
 */
export class UdpProbeTally {
  private readonly sentAtMs: Float64Array;
  private readonly echoed: Uint8Array;
  private highestEchoed = -1;
  sent = 0;
  received = 0;
  duplicates = 0;
  reordered = 0;
  /** The slowest first echo so far, µs: what the wait for stragglers is scaled by. */
  maxRttUs = 0;

  constructor(datagrams: number) {
    this.sentAtMs = new Float64Array(datagrams);
    this.echoed = new Uint8Array(datagrams);
  }

  /** Notes that the next datagram (sequence = the count sent so far) leaves now; returns its sequence. */
  noteSent(): number {
    const sequence = this.sent++;
    this.sentAtMs[sequence] = performance.now();
    return sequence;
  }

  /** Notes the echo of `sequence`, which came just now. */
  noteEcho(sequence: number): EchoReading {
    if (sequence >= this.sent) return { kind: 'unsent' };
    if (this.echoed[sequence] === 1) {
      this.duplicates++;
      return { kind: 'duplicate' };
    }
    this.echoed[sequence] = 1;
    this.received++;
    if (sequence < this.highestEchoed) this.reordered++;
    else this.highestEchoed = sequence;
    const rttUs = elapsedUs(this.sentAtMs[sequence]!);
    if (rttUs > this.maxRttUs) this.maxRttUs = rttUs;
    return { kind: 'first', rttUs };
  }

  /** The counts so far; every datagram sent whose echo has not come is lost. */
  tally(): MessageTally {
    return { sent: this.sent, received: this.received, lost: this.sent - this.received, reordered: this.reordered, duplicates: this.duplicates };
  }
}
