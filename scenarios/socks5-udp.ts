import type { Scenario } from '../core/scenario.js';

/**
 * UDP through a SOCKS5 proxy's UDP ASSOCIATE (RFC 1928 §7): each session opens an association,
 * sends 200 numbered 64-byte datagrams to the UDP echo at 1,000/s through the relay, and counts
 * what came back — round trip per datagram, loss, reordering, duplicates; every echo is checked
 * byte for byte (docs/targets.md). Loss is a figure (`lossRate`), not a failure: UDP may drop.
 *
 * Why these defaults: 64 bytes is a small real-time datagram (DNS, game state, VoIP frames are of
 * that order), where a relay's per-datagram cost shows rather than its bandwidth; 200 at 1,000/s
 * is a 0.2 s association, so a 10 s run opens hundreds and the ASSOCIATE handshake is measured too;
 * 10 sessions at once is 10,000 datagrams/s, which a relay on loopback carries on a shared 2-core
 * machine without the harness becoming the bottleneck.
 */
export const socks5Udp: Scenario = {
  name: 'socks5-udp',
  description: 'UDP echo through SOCKS5 UDP ASSOCIATE: 200 datagrams of 64 B at 1,000/s per association, RTT, loss, reordering, duplicates',
  mix: [
    {
      kind: 'udp-64b',
      weight: 1,
      protocol: 'socks5',
      origin: 'http',
      operation: { op: 'udp-echo', datagramBytes: 64, datagrams: 200, ratePerSecond: 1000 },
    },
  ],
  defaults: { durationMs: 10_000, warmupMs: 2_000, concurrency: 10 },
};
