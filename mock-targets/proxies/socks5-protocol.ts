import { encodeIpAddress, readAddress } from './socks5-address.js';

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
/** RFC 1928 §4 commands this proxy carries out (BIND is not one). */
const COMMAND = { connect: 0x01, udpAssociate: 0x03 } as const;

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

/** What a client asked for: a CONNECT, a UDP ASSOCIATE, or something answered with an error reply. */
export type Socks5Request =
  | { readonly kind: 'connect'; readonly host: string; readonly port: number }
  /**
   * RFC 1928 §4 CMD 3: `host`/`port` are where the client says it will send its datagrams from
   * (all zeros when it does not know yet).
   */
  | { readonly kind: 'udp-associate'; readonly host: string; readonly port: number }
  | { readonly kind: 'unsupported-command'; readonly reply: typeof REPLY.commandNotSupported }
  | { readonly kind: 'unsupported-address-type'; readonly reply: typeof REPLY.addressTypeNotSupported };

/**
 * RFC 1928 §4: VER CMD RSV ATYP DST.ADDR DST.PORT. An unsupported command (BIND, or a code RFC 1928
 * does not define) or address type is known from the first four bytes and answered at once: the
 * rest of the request cannot be framed anyway.
 */
export function parseRequest(buffer: Buffer): Parsed<Socks5Request> | undefined {
  if (buffer.length < 4) return undefined;
  if (buffer[0] !== VERSION) throw new Socks5ProtocolError(`version ${buffer[0]} is not SOCKS5`);
  const command = buffer[1];
  if (command !== COMMAND.connect && command !== COMMAND.udpAssociate) {
    return { value: { kind: 'unsupported-command', reply: REPLY.commandNotSupported }, bytes: 4 };
  }
  const address = readAddress(buffer, 3);
  if (address === 'incomplete') return undefined;
  if (address === 'unknown-type') return { value: { kind: 'unsupported-address-type', reply: REPLY.addressTypeNotSupported }, bytes: 4 };
  const kind = command === COMMAND.connect ? 'connect' : 'udp-associate';
  return { value: { kind, host: address.host, port: address.port }, bytes: address.end };
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
 * The reply (RFC 1928 §6) with BND.ADDR/BND.PORT: on success the proxy's own end of the outgoing
 * connection (CONNECT) or the UDP relay's address (UDP ASSOCIATE), 0.0.0.0:0 on failure. An
 * IPv4-mapped IPv6 address is sent as IPv4.
 */
export function encodeReply(reply: number, boundAddress = '0.0.0.0', boundPort = 0): Buffer {
  return Buffer.concat([Buffer.from([VERSION, reply, 0x00]), encodeIpAddress(boundAddress, boundPort)]);
}
