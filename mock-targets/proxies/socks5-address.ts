import { isIPv4, isIPv6 } from 'node:net';

/**
 * The SOCKS5 address block, ATYP DST.ADDR DST.PORT (RFC 1928 §4, §5), shared by the TCP request,
 * its reply and the UDP request header (§7).
 */

/** RFC 1928 §5 address types. */
export const ATYP = { ipv4: 0x01, domain: 0x03, ipv6: 0x04 } as const;

/** An address block read from a buffer: host (IP literal or name), port, and where the block ends. */
export interface SocksAddress {
  readonly host: string;
  readonly port: number;
  /** Offset just past DST.PORT. */
  readonly end: number;
}

/**
 * Reads ATYP DST.ADDR DST.PORT starting at `at`: the address, `incomplete` while bytes are missing,
 * or `unknown-type` for an ATYP RFC 1928 does not define (known from one byte, so it can be
 * answered before the rest arrives).
 */
export function readAddress(buffer: Buffer, at: number): SocksAddress | 'incomplete' | 'unknown-type' {
  if (buffer.length <= at) return 'incomplete';
  const addressType = buffer[at];
  let hostStart = at + 1;
  let hostEnd: number;
  if (addressType === ATYP.ipv4) hostEnd = hostStart + 4;
  else if (addressType === ATYP.ipv6) hostEnd = hostStart + 16;
  else if (addressType === ATYP.domain) {
    if (buffer.length <= hostStart) return 'incomplete';
    hostStart += 1;
    hostEnd = hostStart + (buffer[at + 1] ?? 0);
  } else return 'unknown-type';
  if (buffer.length < hostEnd + 2) return 'incomplete';
  const hostBytes = buffer.subarray(hostStart, hostEnd);
  const host = addressType === ATYP.ipv4 ? hostBytes.join('.') : addressType === ATYP.ipv6 ? formatIpv6(hostBytes) : hostBytes.toString('latin1');
  return { host, port: buffer.readUInt16BE(hostEnd), end: hostEnd + 2 };
}

/**
 * ATYP ADDR PORT for an IP literal (an IPv4-mapped IPv6 address is sent as IPv4); anything that is
 * not an IP literal is sent as 0.0.0.0, which is what a reply's BND.ADDR may say when it has none.
 */
export function encodeIpAddress(address: string, port: number): Buffer {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const literal = mapped ?? address;
  const addressBytes = isIPv4(literal) ? Buffer.from(literal.split('.').map(Number)) : isIPv6(literal) ? ipv6Bytes(literal) : Buffer.from([0, 0, 0, 0]);
  const block = Buffer.alloc(1 + addressBytes.length + 2);
  block[0] = addressBytes.length === 16 ? ATYP.ipv6 : ATYP.ipv4;
  addressBytes.copy(block, 1);
  block.writeUInt16BE(port, 1 + addressBytes.length);
  return block;
}

/** An IPv4-mapped IPv6 literal as plain IPv4, other literals lower-cased: how addresses are compared. */
export function plainAddress(address: string): string {
  return (/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address).toLowerCase();
}

function formatIpv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}

/** 16 bytes of an IPv6 literal, `::` and an embedded IPv4 tail included. */
function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const groupsOf = (part: string | undefined): number[] =>
    part === undefined || part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const front = groupsOf(head);
  const back = groupsOf(tail);
  const groups = [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(group, i * 2));
  return bytes;
}
