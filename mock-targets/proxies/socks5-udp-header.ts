import { ATYP, encodeIpAddress, readAddress } from './socks5-address.js';

/**
 * The UDP request header of RFC 1928 §7, which every datagram between a SOCKS5 client and its UDP
 * relay carries: RSV(2) = 0, FRAG(1), ATYP, DST.ADDR, DST.PORT, then the data.
 */

/** A datagram a client sent to the relay, read. */
export type Socks5UdpDatagram =
  /** `frag` 0 is a standalone datagram; 1–127 a fragment position, 0x80 set on the last one. */
  | { readonly kind: 'datagram'; readonly frag: number; readonly host: string; readonly port: number; readonly data: Buffer }
  /** Too short, a non-zero RSV, or an address type RFC 1928 does not define. */
  | { readonly kind: 'malformed' };

const MALFORMED: Socks5UdpDatagram = { kind: 'malformed' };

/** Reads the header of a client's datagram; `data` is a view of the rest (not a copy). */
export function parseUdpDatagram(datagram: Buffer): Socks5UdpDatagram {
  if (datagram.length < 4 || datagram[0] !== 0 || datagram[1] !== 0) return MALFORMED;
  const address = readAddress(datagram, 3);
  if (typeof address === 'string') return MALFORMED;
  // A name must be a name: an empty one cannot be looked up.
  if (datagram[3] === ATYP.domain && address.host.length === 0) return MALFORMED;
  return { kind: 'datagram', frag: datagram[2] ?? 0, host: address.host, port: address.port, data: datagram.subarray(address.end) };
}

/**
 * The header the relay puts before a reply from `address`:`port` (an IP literal: where the reply
 * came from) on its way to the client: RSV 0, FRAG 0, the address block.
 */
export function encodeUdpHeader(address: string, port: number): Buffer {
  return Buffer.concat([Buffer.from([0, 0, 0]), encodeIpAddress(address, port)]);
}
