import { isIPv4, isIPv6 } from 'node:net';

/**
 * SOCKS5 wire format (RFC 1928, RFC 1929): constants, parsers that cope with a message arriving in
 * pieces (they answer `undefined` until it is whole), and the reply encoder.
 */

/** RFC 1928 §3 method codes. */
export const AUTH_METHOD = { none: 0x00, userPass: 0x02, noAcceptable: 0xff } as const;

/** RFC 1928 §6 reply codes. */
export const REPLY = {
  succeeded: 0x00,
  generalFailure: 0x01,
  notAllowed: 0x02,
  hostUnreachable: 0x04,
  connectionRefused: 0x05,
  commandNotSupported: 0x07,
  addressTypeNotSupported: 0x08,
} as const;

const VERSION = 0x05;
const USER_PASS_VERSION = 0x01;
const COMMAND_CONNECT = 0x01;
const ATYP = { ipv4: 0x01, domain: 0x03, ipv6: 0x04 } as const;

/** A parsed message and how many bytes of the buffer it took. */
export interface Parsed<T> {
  readonly value: T;
  readonly bytes: number;
}

/** The bytes are not SOCKS5 (wrong version): the connection is closed without a reply. */
export class Socks5ProtocolError extends Error {}

/** RFC 1928 §3: VER NMETHODS METHODS. Resolves to the offered method codes. */
export function parseGreeting(buffer: Buffer): Parsed<readonly number[]> | undefined {
  if (buffer.length < 2) return undefined;
  if (buffer[0] !== VERSION) throw new Socks5ProtocolError(`version ${buffer[0]} is not SOCKS5`);
  const count = buffer[1] ?? 0;
  if (buffer.length < 2 + count) return undefined;
  return { value: [...buffer.subarray(2, 2 + count)], bytes: 2 + count };
}

/** RFC 1929 §2: VER ULEN UNAME PLEN PASSWD, credentials as raw bytes. */
export function parseUserPass(buffer: Buffer): Parsed<{ readonly username: Buffer; readonly password: Buffer }> | undefined {
  if (buffer.length < 2) return undefined;
  if (buffer[0] !== USER_PASS_VERSION) throw new Socks5ProtocolError(`auth version ${buffer[0]} is not RFC 1929`);
  const userEnd = 2 + (buffer[1] ?? 0);
  if (buffer.length < userEnd + 1) return undefined;
  const passEnd = userEnd + 1 + (buffer[userEnd] ?? 0);
  if (buffer.length < passEnd) return undefined;
  return {
    value: { username: buffer.subarray(2, userEnd), password: buffer.subarray(userEnd + 1, passEnd) },
    bytes: passEnd,
  };
}

/** What a client asked for: a CONNECT, or something this proxy answers with an error reply. */
export type Socks5Request =
  | { readonly kind: 'connect'; readonly host: string; readonly port: number }
  | { readonly kind: 'unsupported-command'; readonly reply: typeof REPLY.commandNotSupported }
  | { readonly kind: 'unsupported-address-type'; readonly reply: typeof REPLY.addressTypeNotSupported };

/**
 * RFC 1928 §4: VER CMD RSV ATYP DST.ADDR DST.PORT. An unsupported command or address type is known
 * from the first four bytes and answered at once: the rest of the request cannot be framed anyway.
 */
export function parseRequest(buffer: Buffer): Parsed<Socks5Request> | undefined {
  if (buffer.length < 4) return undefined;
  if (buffer[0] !== VERSION) throw new Socks5ProtocolError(`version ${buffer[0]} is not SOCKS5`);
  if (buffer[1] !== COMMAND_CONNECT) return { value: { kind: 'unsupported-command', reply: REPLY.commandNotSupported }, bytes: 4 };
  const addressType = buffer[3];
  let hostEnd: number;
  if (addressType === ATYP.ipv4) hostEnd = 4 + 4;
  else if (addressType === ATYP.ipv6) hostEnd = 4 + 16;
  else if (addressType === ATYP.domain) {
    if (buffer.length < 5) return undefined;
    hostEnd = 5 + (buffer[4] ?? 0);
  } else return { value: { kind: 'unsupported-address-type', reply: REPLY.addressTypeNotSupported }, bytes: 4 };
  if (buffer.length < hostEnd + 2) return undefined;
  const host =
    addressType === ATYP.ipv4
      ? buffer.subarray(4, 8).join('.')
      : addressType === ATYP.ipv6
        ? formatIpv6(buffer.subarray(4, 20))
        : buffer.subarray(5, hostEnd).toString('latin1');
  return { value: { kind: 'connect', host, port: buffer.readUInt16BE(hostEnd) }, bytes: hostEnd + 2 };
}

/** The method selection message (RFC 1928 §3). */
export function encodeMethodChoice(method: number): Buffer {
  return Buffer.from([VERSION, method]);
}

/** The RFC 1929 status message: 0x00 success, anything else failure. */
export function encodeAuthStatus(ok: boolean): Buffer {
  return Buffer.from([USER_PASS_VERSION, ok ? 0x00 : 0x01]);
}

/**
 * The reply (RFC 1928 §6) with BND.ADDR/BND.PORT: the proxy's own end of the outgoing connection
 * on success, 0.0.0.0:0 on failure. An IPv4-mapped IPv6 address is sent as IPv4.
 */
export function encodeReply(reply: number, boundAddress = '0.0.0.0', boundPort = 0): Buffer {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(boundAddress)?.[1];
  const address = mapped ?? boundAddress;
  const addressBytes = isIPv4(address)
    ? Buffer.from(address.split('.').map(Number))
    : isIPv6(address)
      ? ipv6Bytes(address)
      : Buffer.from([0, 0, 0, 0]);
  const header = Buffer.from([VERSION, reply, 0x00, addressBytes.length === 16 ? ATYP.ipv6 : ATYP.ipv4]);
  const port = Buffer.alloc(2);
  port.writeUInt16BE(boundPort);
  return Buffer.concat([header, addressBytes, port]);
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
