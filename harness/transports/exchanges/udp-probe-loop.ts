import type { RemoteInfo, Socket as DgramSocket } from 'node:dgram';
import type { RttSink } from '../../../core/exchange.js';
import { readUdpProbe, udpProbe } from '../../../core/origin-wire/stream-contract.js';
import { TransportFailure } from '../transport-failure.js';
import type { ExchangeSession } from './exchange-session.js';
import type { UdpProbeTally } from './udp-probe-tally.js';

/** How probes travel: straight to the UDP echo (`direct`) or wrapped for a SOCKS5 relay. */
export interface ProbeRoute {
  readonly socket: DgramSocket;
  /** Sends one probe, wrapped as the route needs. */
  send(probe: Buffer): void;
  /**
   * The probe inside a datagram that came from `from`; null for a datagram from anyone else than
   * the relay (or the echo), which is ignored (RFC 1928 §7). Throws an `integrity` TransportFailure
   * when the wrapping is broken.
   */
  unwrap(datagram: Buffer, from: RemoteInfo): Buffer | null;
}

/** What to send, from the operation. */
export interface ProbePlan {
  readonly seed: number;
  readonly datagramBytes: number;
  readonly datagrams: number;
  readonly ratePerSecond: number;
}

/** The wait for stragglers is this many times the slowest round trip seen in the session… */
export const STRAGGLER_RTT_FACTOR = 4;
/** …and at least this long, ms; never longer than the idle limit. */
export const MIN_STRAGGLER_WAIT_MS = 200;

/**
 * Sends an association's probes and reads their echoes. Datagram i is due `i / ratePerSecond` s
 * after the first; a timer sends every datagram that is due (so a late timer sends the ones it
 * missed at once, and the count never exceeds `datagrams`). Each echo is unwrapped, checked whole
 * (readUdpProbe) and tallied; its round trip goes to `onRtt` the first time it comes.
 *
 * When it ends: once every datagram sent has come back; or, after the last datagram was sent, once
 * no echo has come for the straggler wait — {@link STRAGGLER_RTT_FACTOR} × the slowest round trip
 * of the session, at least {@link MIN_STRAGGLER_WAIT_MS}, at most the idle limit (the whole idle
 * limit while nothing has come back yet). What has not come back by then is lost: a figure
 * (`messages.lost`, `lossRate`), not a failure, since UDP may drop datagrams; an echo later than
 * that is dropped with the socket, as ping drops a reply after its wait. Waiting the whole idle
 * limit (10 s by default) after every lossy session would stall the load it measures.
 *
 * It fails as `timeout_idle` when nothing came back at all within the idle limit, as `integrity` at
 * the first datagram that is not an echo of one sent (a wrong byte, a wrong length, a sequence never
 * sent, a broken §7 header), as `timeout_total` past the session's limit, and through {@link fail}
 * for whatever the caller sees.
 */
export class UdpProbeLoop {
  private sendTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  private stragglerTimer: NodeJS.Timeout | undefined;
  private totalTimer: NodeJS.Timeout | undefined;
  private firstSendMs = 0;
  private settle: { resolve(): void; reject(err: unknown): void } | undefined;

  constructor(
    private readonly route: ProbeRoute,
    private readonly plan: ProbePlan,
    private readonly tally: UdpProbeTally,
    private readonly session: ExchangeSession,
    private readonly onRtt: RttSink,
  ) {}

  /** Sends every probe and waits for the echoes; resolves or rejects as the class says. */
  run(totalMs: number): Promise<void> {
    const { idleMs } = this.session.options.timeouts;
    const done = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.route.socket.on('message', this.onMessage);
    this.totalTimer = setTimeout(() => this.fail(new TransportFailure('timeout_total', `the exchange took longer than ${Math.round(totalMs)} ms`)), totalMs);
    this.silenceTimer = setTimeout(this.onSilence, idleMs);
    this.session.signal.addEventListener('abort', this.onAbort, { once: true });
    this.firstSendMs = performance.now();
    this.sendDue();
    return done.finally(() => this.stop());
  }

  /** Ends the loop with `err` (a classified TransportFailure) unless it has ended already. */
  fail(err: unknown): void {
    const settle = this.settle;
    this.settle = undefined;
    settle?.reject(err);
  }

  private finish(): void {
    const settle = this.settle;
    this.settle = undefined;
    settle?.resolve();
  }

  private stop(): void {
    clearTimeout(this.sendTimer);
    clearTimeout(this.silenceTimer);
    clearTimeout(this.stragglerTimer);
    clearTimeout(this.totalTimer);
    this.route.socket.off('message', this.onMessage);
    this.session.signal.removeEventListener('abort', this.onAbort);
  }

  private readonly onAbort = (): void => this.fail(new TransportFailure('other', 'the run ended while the exchange was open'));

  private readonly sendDue = (): void => {
    if (this.settle === undefined) return;
    const { datagrams, ratePerSecond, seed, datagramBytes } = this.plan;
    const dueMs = (sequence: number): number => this.firstSendMs + (sequence * 1000) / ratePerSecond;
    const now = performance.now();
    while (this.tally.sent < datagrams && dueMs(this.tally.sent) <= now) {
      const probe = udpProbe(seed, this.tally.sent, datagramBytes);
      this.tally.noteSent();
      this.route.send(probe);
      this.session.bytesOut += datagramBytes;
    }
    if (this.tally.sent < datagrams) {
      this.sendTimer = setTimeout(this.sendDue, dueMs(this.tally.sent) - now);
    } else {
      clearTimeout(this.silenceTimer);
      this.awaitStragglers();
    }
  };

  /** While sending: the idle limit passed with no echo. Loss while sending is a figure; only total silence fails. */
  private readonly onSilence = (): void => {
    if (this.tally.received === 0) this.failSilent();
    else this.silenceTimer?.refresh();
  };

  /** (Re)starts the wait for stragglers: after the last send, and after each echo that comes during it. */
  private awaitStragglers(): void {
    const { idleMs } = this.session.options.timeouts;
    const waitMs = this.tally.received === 0 ? idleMs : Math.min(idleMs, Math.max(MIN_STRAGGLER_WAIT_MS, (STRAGGLER_RTT_FACTOR * this.tally.maxRttUs) / 1000));
    clearTimeout(this.stragglerTimer);
    this.stragglerTimer = setTimeout(() => (this.tally.received === 0 ? this.failSilent() : this.finish()), waitMs);
  }

  private failSilent(): void {
    const { idleMs } = this.session.options.timeouts;
    this.fail(new TransportFailure('timeout_idle', `no datagram came back within ${idleMs} ms (${this.tally.sent} sent)`));
  }

  private readonly onMessage = (datagram: Buffer, from: RemoteInfo): void => {
    if (this.settle === undefined) return;
    try {
      const probe = this.route.unwrap(datagram, from);
      if (probe !== null) this.onProbe(probe);
    } catch (err) {
      this.fail(err);
    }
  };

  private onProbe(probe: Buffer): void {
    const { seed, datagramBytes, datagrams } = this.plan;
    this.session.bytesIn += probe.length;
    if (probe.length !== datagramBytes) throw integrity(`a ${probe.length}-byte datagram came back for ${datagramBytes}-byte probes`);
    const reading = readUdpProbe(seed, probe);
    if (reading.kind === 'corrupt') throw integrity(`an echoed datagram (sequence field ${probe.readBigUInt64BE(0)}) differs from the probe sent`);
    const echo = this.tally.noteEcho(reading.sequence);
    if (echo.kind === 'unsent') throw integrity(`an echo of datagram ${reading.sequence} came back, which was never sent`);
    const allSent = this.tally.sent >= datagrams;
    if (allSent) this.awaitStragglers();
    else this.silenceTimer?.refresh();
    if (echo.kind === 'duplicate') return;
    this.session.noteFirstAnswer();
    this.onRtt(echo.rttUs);
    if (allSent && this.tally.received === this.tally.sent) this.finish();
  }
}

function integrity(detail: string): TransportFailure {
  return new TransportFailure('integrity', detail);
}
