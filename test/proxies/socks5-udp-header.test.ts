import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../mock-targets/proxies/socks5-protocol.js';
import { encodeUdpHeader, parseUdpDatagram } from '../../mock-targets/proxies/socks5-udp-header.js';
import { clientDatagram } from '../support/socks5-udp-client.js';

const arbitraryIpv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join('.'));

describe('SOCKS5 UDP ASSOCIATE wire format', () => {
  it.each([
    ['all zeros (the client does not know its address yet)', [5, 3, 0, 1, 0, 0, 0, 0, 0, 0], { kind: 'udp-associate', host: '0.0.0.0', port: 0 }],
    ['the client address and port', [5, 3, 0, 1, 127, 0, 0, 1, 0x30, 0x39], { kind: 'udp-associate', host: '127.0.0.1', port: 12_345 }],
    ['an unknown command 0x04', [5, 4, 0, 1], { kind: 'unsupported-command', reply: 0x07 }],
  ])('parses a request with %s', (_name, bytes, expected) => {
    expect(parseRequest(Buffer.from(bytes))?.value).toEqual(expected);
  });

  it('waits for the whole UDP ASSOCIATE request', () => {
    const bytes = Buffer.from([5, 3, 0, 1, 127, 0, 0, 1, 0x30, 0x39]);
    for (let end = 0; end < bytes.length; end++) expect(parseRequest(bytes.subarray(0, end))).toBeUndefined();
    expect(parseRequest(bytes)?.bytes).toBe(bytes.length);
  });

  it('reads back the destination, FRAG and data of any client datagram', () => {
    fc.assert(
      fc.property(
        fc.oneof(arbitraryIpv4, fc.stringMatching(/^[a-z0-9.-]{1,255}$/)),
        fc.integer({ min: 0, max: 65_535 }),
        fc.nat(255),
        fc.uint8Array({ maxLength: 200 }),
        (host, port, frag, data) => {
          const parsed = parseUdpDatagram(clientDatagram(host, port, Buffer.from(data), frag));
          expect(parsed).toEqual({ kind: 'datagram', frag, host, port, data: Buffer.from(data) });
        },
      ),
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const parsed = parseUdpDatagram(Buffer.from(bytes));
        expect(['datagram', 'malformed']).toContain(parsed.kind);
      }),
    );
  });

  it.each([
    ['a non-zero RSV', [0, 1, 0, 1, 127, 0, 0, 1, 0, 80]],
    ['an unknown ATYP', [0, 0, 0, 9, 127, 0, 0, 1, 0, 80]],
    ['a cut address', [0, 0, 0, 1, 127, 0]],
    ['an empty name', [0, 0, 0, 3, 0, 0, 80]],
  ])('reads a datagram with %s as malformed', (_name, bytes) => {
    expect(parseUdpDatagram(Buffer.from(bytes))).toEqual({ kind: 'malformed' });
  });

  it('wraps a reply with RSV 0, FRAG 0 and the source address (IPv4, IPv4-mapped as IPv4, IPv6)', () => {
    expect([...encodeUdpHeader('127.0.0.1', 8080)]).toEqual([0, 0, 0, 1, 127, 0, 0, 1, 0x1f, 0x90]);
    expect([...encodeUdpHeader('::ffff:10.0.0.2', 53)]).toEqual([0, 0, 0, 1, 10, 0, 0, 2, 0, 53]);
    expect([...encodeUdpHeader('::1', 53)]).toEqual([0, 0, 0, 4, ...new Array<number>(15).fill(0), 1, 0, 53]);
  });
});
