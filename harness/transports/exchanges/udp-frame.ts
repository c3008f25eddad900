import { isIPv6 } from 'node:net';
import { SocksClient } from 'socks';
import type { HostPort } from '../connection-setup.js';

/**
 * The SOCKS5 UDP request header (RFC 1928 §7) that wraps every datagram between a client and the
 * proxy's UDP relay: `RSV(2) = 0, FRAG(1), ATYP(1), DST.ADDR, DST.PORT(2)`, then the data. The
 * client puts the destination there; the relay puts the address the reply came from.
 */

/**
 * The header the client puts before every datagram to `destination` (FRAG 0: we never fragment).
 * Made once per association, by the `socks` package, and sent with each probe as a second buffer.
 */
export function udpRequestHeader(destination: HostPort): Buffer {
  return SocksClient.createUDPFrame({ remoteHost: { host: destination.host, port: destination.port }, data: Buffer.alloc(0) });
}

/** A datagram from the relay, read: the data, or why its header is not a §7 header of a whole datagram. */
export type RelayedData = { readonly kind: 'data'; readonly data: Buffer } | { readonly kind: 'malformed'; readonly why: string };

const ATYP_IPV4 = 1;
const ATYP_NAME = 3;
const ATYP_IPV6 = 4;

/**
 * Reads the §7 header of a datagram the relay sent, strictly (the `socks` package's parser reads
 * any ATYP as a name and ignores RSV): RSV must be 0 and FRAG 0 — a client that sent no fragments
 * gets none back —, ATYP 1, 3 or 4 with its whole address and port present. The data is a view.
 */
export function readRelayedDatagram(datagram: Buffer): RelayedData {
  if (datagram.length < 4) return { kind: 'malformed', why: `${datagram.length} bytes, shorter than a SOCKS5 UDP header` };
  if (datagram[0] !== 0 || datagram[1] !== 0) return { kind: 'malformed', why: 'RSV is not 0' };
  if (datagram[2] !== 0) return { kind: 'malformed', why: `FRAG ${datagram[2]} (a fragment; none were sent)` };
  const atyp = datagram[3];
  const addressBytes = atyp === ATYP_IPV4 ? 4 : atyp === ATYP_IPV6 ? 16 : atyp === ATYP_NAME ? 1 + (datagram[4] ?? 0) : -1;
  if (addressBytes < 0) return { kind: 'malformed', why: `ATYP ${atyp}` };
  const dataAt = 4 + addressBytes + 2;
  if (datagram.length < dataAt) return { kind: 'malformed', why: 'the header is cut short' };
  return { kind: 'data', data: datagram.subarray(dataAt) };
}

/** True when `host` is an IPv6 literal: the UDP socket's family follows the address it talks to. */
export function udpFamilyOf(host: string): 'udp4' | 'udp6' {
  return isIPv6(host) ? 'udp6' : 'udp4';
}
