import type { Socket as DgramSocket } from 'node:dgram';
import { isIPv6, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SocksClient, type SocksClientOptions, type SocksRemoteHost } from 'socks';
import type { ProxyEndpoint } from '../../../core/proxy-url.js';
import type { PhaseTimeouts } from '../../../core/request.js';
import { authorityOf, connectTcp, elapsedUs, type HostPort } from '../connection-setup.js';
import type { SetupTimings } from '../socket-tracker.js';
import { socksFailure } from '../socks5-handshake.js';
import { TransportFailure } from '../transport-failure.js';
import { bindUdpSocket, closeUdpSocket } from './udp-socket.js';

/** A SOCKS5 proxy endpoint. */
type Socks5Proxy = Extract<ProxyEndpoint, { kind: 'socks5' }>;

/** An open UDP association (RFC 1928 §7): it lives as long as its TCP control connection. */
export interface UdpAssociation {
  /** The TCP connection the association was asked on; the proxy ends the association when it closes. */
  readonly control: Socket;
  /** The client's UDP socket, bound on the control connection's local address. */
  readonly udp: DgramSocket;
  /** Where the client sends its datagrams: the reply's BND.ADDR and BND.PORT. */
  readonly relay: HostPort;
  /** connect = TCP to the proxy; proxyHandshake = the greeting up to the ASSOCIATE reply. */
  readonly timings: SetupTimings;
}

/**
 * Opens a UDP association through `proxy`: TCP to the proxy (timed as `connect`), a UDP socket
 * bound on the same local address, then the SOCKS5 greeting, RFC 1929 auth when the proxy URL has
 * credentials, and UDP ASSOCIATE (timed together as `proxyHandshake`; the `socks` package speaks
 * them). The request names the UDP socket's address and port as DST, so the relay knows which
 * datagrams are the client's (§7: it may drop any others). A reply of 0.0.0.0 (or ::) as BND.ADDR
 * means "the proxy's own address": the control connection's peer is used. Rejects with a classified
 * TransportFailure — a REP other than 0 is `proxy_refused` naming the code — and leaves nothing open.
 */
export async function associateUdp(proxy: Socks5Proxy, timeouts: PhaseTimeouts): Promise<UdpAssociation> {
  const hop = `proxy ${authorityOf(proxy)}`;
  const tcp = await connectTcp(proxy, timeouts.connectMs, hop);
  const control = tcp.socket;
  let udp: DgramSocket | undefined;
  try {
    udp = await bindUdpSocket(control.localAddress ?? '127.0.0.1');
    const local = udp.address();
    const startMs = performance.now();
    let bound: HostPort;
    try {
      const { remoteHost } = await socksAssociate({
        command: 'associate',
        proxy: { host: proxy.host, port: proxy.port, type: 5, userId: proxy.auth?.username, password: proxy.auth?.password },
        destination: { host: local.address, port: local.port },
        existing_socket: control,
        timeout: timeouts.handshakeMs,
      });
      bound = { host: remoteHost?.host ?? '', port: remoteHost?.port ?? 0 };
    } catch (err) {
      throw associateFailure(err, hop);
    }
    const proxyHandshakeUs = elapsedUs(startMs);
    // The socks client resumes the socket on the next turn after 'established' (socks5-handshake.ts).
    await new Promise((resolve) => setImmediate(resolve));
    const relay = { host: canonicalIp(isUnspecified(bound.host) ? (control.remoteAddress ?? proxy.host) : bound.host), port: bound.port };
    if (relay.port === 0) throw new TransportFailure('proxy_refused', 'SOCKS5 UDP ASSOCIATE reply names port 0 as the relay');
    return { control, udp, relay, timings: { connectUs: tcp.connectUs, proxyHandshakeUs, tlsUs: -1 } };
  } catch (err) {
    control.destroy();
    if (udp) await closeUdpSocket(udp);
    throw err;
  }
}

/**
 * The negotiation by the `socks` package: its `createConnection` takes only `connect`, so the
 * client is driven directly, as that function does, for `associate`.
 */
function socksAssociate(options: SocksClientOptions): Promise<{ readonly remoteHost?: SocksRemoteHost }> {
  return new Promise((resolve, reject) => {
    const client = new SocksClient(options);
    client.once('established', (info) => {
      client.removeAllListeners();
      resolve(info);
    });
    client.once('error', (err) => {
      client.removeAllListeners();
      reject(err);
    });
    client.connect(options.existing_socket);
  });
}

/** BND.ADDR "any": the socks package passes 0.0.0.0 on as `proxy.ipaddress`, which we leave unset. */
function isUnspecified(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0';
}

/**
 * An IPv6 literal in its compressed form, as dgram reports datagram sources (the `socks` package
 * writes BND.ADDR out in full), so the relay's datagrams are recognised; other hosts unchanged.
 */
function canonicalIp(host: string): string {
  return isIPv6(host) ? new URL(`http://[${host}]/`).hostname.slice(1, -1) : host;
}

/** RFC 1928 §6 reply codes, under the names the `socks` package gives them in its rejection message. */
const REPLY_CODES: Readonly<Record<string, readonly [number, string]>> = {
  Failure: [1, 'general SOCKS server failure'],
  NotAllowed: [2, 'connection not allowed by ruleset'],
  NetworkUnreachable: [3, 'network unreachable'],
  HostUnreachable: [4, 'host unreachable'],
  ConnectionRefused: [5, 'connection refused'],
  TTLExpired: [6, 'TTL expired'],
  CommandNotSupported: [7, 'command not supported'],
  AddressNotSupported: [8, 'address type not supported'],
};

/** A refused ASSOCIATE names its reply code ("REP 7 command not supported"); other failures as for CONNECT. */
function associateFailure(err: unknown, hop: string): TransportFailure {
  const message = err instanceof Error ? err.message : String(err);
  if (!message.startsWith('Socks5 proxy rejected connection')) return socksFailure(err, hop);
  const name = message.slice(message.lastIndexOf('-') + 1).trim();
  const known = REPLY_CODES[name];
  // The package names only codes 1–8; an unassigned code comes through as "undefined".
  const reply = known ? `REP ${known[0]} ${known[1]}` : 'REP outside RFC 1928 §6 (unassigned code)';
  return new TransportFailure('proxy_refused', `SOCKS5 UDP ASSOCIATE refused: ${reply}`);
}
