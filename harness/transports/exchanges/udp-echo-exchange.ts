import type { RemoteInfo } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { PreparedExchange, RttSink, StreamTarget } from '../../../core/exchange.js';
import type { RequestOutcome } from '../../../core/request.js';
import { authorityOf, elapsedUs, type HostPort } from '../connection-setup.js';
import { TransportFailure } from '../transport-failure.js';
import type { ExchangeSession } from './exchange-session.js';
import { associateUdp, type UdpAssociation } from './udp-associate.js';
import { readRelayedDatagram, udpRequestHeader } from './udp-frame.js';
import { UdpProbeLoop, type ProbeRoute } from './udp-probe-loop.js';
import { UdpProbeTally } from './udp-probe-tally.js';
import { bindUdpSocket, closeUdpSocket } from './udp-socket.js';

type UdpEcho = Extract<PreparedExchange, { op: 'udp-echo' }>;

/**
 * `udp-echo` (docs/targets.md): one UDP association per exchange. Through `socks5`, a SOCKS5 UDP
 * ASSOCIATE (RFC 1928 §7, udp-associate.ts), every probe wrapped in the §7 header and sent to the
 * proxy's relay; for `direct`, probes go straight to the UDP echo. `datagrams` probes of
 * `datagramBytes` (udpProbe) leave at `ratePerSecond`; echoes are counted, verified and timed
 * (udp-probe-loop.ts). A datagram's round trip runs from its send to its echo's arrival.
 *
 * Success means the association worked and every datagram that came back was an intact echo:
 * loss is reported as `messages.lost` and `lossRate`, not as a failure, since UDP may drop
 * datagrams. Failures: nothing came back (`timeout_idle`), a damaged or invented datagram
 * (`integrity`), the ASSOCIATE refused (`proxy_refused`, with its REP code), the proxy closing the
 * control connection before the end (`reset`: §7 ends the association with it).
 */
export async function runUdpEcho(session: ExchangeSession, exchange: UdpEcho, onRtt: RttSink): Promise<RequestOutcome> {
  const tally = new UdpProbeTally(exchange.datagrams);
  let association: UdpAssociation | undefined;
  let route: ProbeRoute | undefined;
  try {
    const proxy = session.options.proxy;
    if (session.options.protocol === 'socks5' && proxy?.kind === 'socks5') {
      const destination = await destinationOf(exchange.target, !proxy.resolveAtProxy);
      association = await openAssociation(session, () => associateUdp(proxy, session.options.timeouts));
      route = relayRoute(association, destination);
    } else {
      const target = await destinationOf(exchange.target, true);
      route = directRoute(await openDirect(session, target), target);
    }
    const loop = new UdpProbeLoop(route, exchange, tally, session, onRtt);
    if (association) watchControl(association, loop);
    const running = loop.run(Math.max(1, session.options.timeouts.totalMs - elapsedUs(session.startMs) / 1000));
    session.track(running);
    await running;
    return session.succeeded(tally.tally());
  } catch (err) {
    return session.failed(err, tally.tally());
  } finally {
    association?.control.destroy(); // ends the association (§7)
    if (route) session.track(closeUdpSocket(route.socket));
  }
}

/** Opens the association, or fails at once when the run has ended; its setup timings are the exchange's. */
async function openAssociation(session: ExchangeSession, open: () => Promise<UdpAssociation>): Promise<UdpAssociation> {
  const pending = open();
  session.track(pending);
  const association = await pending;
  session.noteSetup(association.timings);
  if (session.signal.aborted) {
    association.control.destroy();
    await closeUdpSocket(association.udp);
    throw new TransportFailure('other', 'the run ended while the exchange was open');
  }
  return association;
}

/** A UDP socket for `direct`: no setup phases (UDP has no connection). */
async function openDirect(session: ExchangeSession, target: StreamTarget): Promise<ProbeRoute['socket']> {
  const pending = bindUdpSocket(isIP(target.host) === 6 ? '::' : '0.0.0.0');
  session.track(pending);
  return pending;
}

/** The §7 DST of the probes: the echo's address, resolved here for `socks5://` (as curl does), sent as a name for `socks5h://`. */
async function destinationOf(target: StreamTarget, resolveHere: boolean): Promise<HostPort> {
  if (!resolveHere || isIP(target.host) !== 0) return target;
  try {
    return { host: (await lookup(target.host)).address, port: target.port };
  } catch (err) {
    throw new TransportFailure('other', `cannot resolve the UDP echo ${target.host}: ${(err as { code?: string }).code ?? String(err)}`);
  }
}

function relayRoute(association: UdpAssociation, destination: HostPort): ProbeRoute {
  const { udp, relay } = association;
  const header = udpRequestHeader(destination);
  const fromRelay = sameEndpoint(relay);
  return {
    socket: udp,
    send: (probe) => udp.send([header, probe], relay.port, relay.host),
    unwrap: (datagram, from) => {
      if (!fromRelay(from)) return null;
      const read = readRelayedDatagram(datagram);
      if (read.kind === 'malformed') throw new TransportFailure('integrity', `a datagram from the relay ${authorityOf(relay)} has a broken SOCKS5 UDP header: ${read.why}`);
      return read.data;
    },
  };
}

function directRoute(socket: ProbeRoute['socket'], target: StreamTarget): ProbeRoute {
  const fromTarget = sameEndpoint(target);
  return {
    socket,
    send: (probe) => socket.send(probe, target.port, target.host),
    unwrap: (datagram, from) => (fromTarget(from) ? datagram : null),
  };
}

/** Whether a datagram came from `endpoint` (IPv4-mapped IPv6 sources compare as IPv4). */
function sameEndpoint(endpoint: HostPort): (from: RemoteInfo) => boolean {
  const host = endpoint.host.replace(/^::ffff:/i, '');
  return (from) => from.port === endpoint.port && from.address.replace(/^::ffff:/i, '') === host;
}

/** The proxy closing the control connection ends the association (§7): the exchange is `reset`. */
function watchControl(association: UdpAssociation, loop: UdpProbeLoop): void {
  const { control } = association;
  const closed = (): void => loop.fail(new TransportFailure('reset', 'the proxy closed the UDP ASSOCIATE control connection before the exchange ended'));
  control.on('end', closed);
  control.on('close', closed);
  control.on('error', closed);
  control.resume(); // nothing more is expected on it; reading lets its end be seen
}
