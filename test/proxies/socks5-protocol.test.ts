import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Socks5ProtocolError,
  encodeReply,
  parseGreeting,
  parseRequest,
  parseUserPass,
} from '../../mock-targets/proxies/socks5-protocol.js';

/** Feeds `bytes` in pieces cut at `cuts`, as TCP may deliver them; returns the first whole parse. */
function parseInPieces<T>(parse: (buffer: Buffer) => T | undefined, bytes: Buffer, cuts: number[]): T | undefined {
  const ends = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  for (const end of [...ends, bytes.length]) {
    const parsed = parse(bytes.subarray(0, end));
    if (parsed !== undefined) return end === bytes.length ? parsed : undefined;
  }
  return undefined;
}

const arbitraryDomain = fc.stringMatching(/^[a-z0-9.-]{1,255}$/);

describe('SOCKS5 parsers', () => {
  it('parse a CONNECT request for any domain and port the same way however it is split', () => {
    fc.assert(
      fc.property(arbitraryDomain, fc.integer({ min: 1, max: 65_535 }), fc.array(fc.nat()), (name, port, cuts) => {
        const bytes = Buffer.concat([Buffer.from([5, 1, 0, 3, name.length]), Buffer.from(name, 'latin1'), Buffer.from([port >> 8, port & 0xff])]);
        const parsed = parseInPieces(parseRequest, bytes, cuts);
        expect(parsed).toEqual({ value: { kind: 'connect', host: name, port }, bytes: bytes.length });
      }),
    );
  });

  it('parse RFC 1929 credentials of any length however they are split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 255 }), fc.uint8Array({ maxLength: 255 }), fc.array(fc.nat()), (user, pass, cuts) => {
        const bytes = Buffer.concat([Buffer.from([1, user.length]), user, Buffer.from([pass.length]), pass]);
        const parsed = parseInPieces(parseUserPass, bytes, cuts);
        expect(parsed?.bytes).toBe(bytes.length);
        expect([...(parsed?.value.username ?? [])]).toEqual([...user]);
        expect([...(parsed?.value.password ?? [])]).toEqual([...pass]);
      }),
    );
  });

  it.each([
    ['IPv4', [5, 1, 0, 1, 10, 0, 0, 7, 0x1f, 0x90], { kind: 'connect', host: '10.0.0.7', port: 8080 }],
    ['IPv6', [5, 1, 0, 4, ...new Array<number>(15).fill(0), 1, 0, 80], { kind: 'connect', host: '0:0:0:0:0:0:0:1', port: 80 }],
    ['BIND', [5, 2, 0, 1], { kind: 'unsupported-command', reply: 0x07 }],
    ['an unknown ATYP', [5, 1, 0, 9], { kind: 'unsupported-address-type', reply: 0x08 }],
  ])('parse a %s request', (_name, bytes, expected) => {
    expect(parseRequest(Buffer.from(bytes))?.value).toEqual(expected);
  });

  it('reject bytes that are not SOCKS5, so the connection is dropped', () => {
    expect(() => parseGreeting(Buffer.from([4, 1, 0]))).toThrow(Socks5ProtocolError);
  });

  it.each([
    ['IPv4', '127.0.0.1', [5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0xd2]],
    ['IPv4-mapped IPv6, as IPv4', '::ffff:127.0.0.1', [5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0xd2]],
    ['IPv6', '::1', [5, 0, 0, 4, ...new Array<number>(15).fill(0), 1, 0x04, 0xd2]],
    ['IPv6 with groups on both sides of ::', 'fe80::2:1', [5, 0, 0, 4, 0xfe, 0x80, ...new Array<number>(10).fill(0), 0, 2, 0, 1, 0x04, 0xd2]],
  ])('encode a reply whose bound address is %s', (_name, address, expected) => {
    expect([...encodeReply(0, address, 1234)]).toEqual(expected);
  });
});
