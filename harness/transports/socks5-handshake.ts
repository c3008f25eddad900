import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SocksClient } from 'socks';
import type { ProxyCredentials } from '../../core/proxy-url.js';
import { elapsedUs, type HostPort } from './connection-setup.js';
import { TransportFailure } from './transport-failure.js';

/**
 * Runs the SOCKS5 negotiation (RFC 1928, with RFC 1929 username/password when `auth` is set) on a
 * TCP socket already connected to the proxy, asking it to connect to `destination` (an IP literal
 * goes as ATYP 1/4, a name as ATYP 3). The `socks` package speaks the protocol; we open the TCP
 * ourselves so its connect time is measured apart. Resolves with the handshake time in µs;
 * rejects with a classified {@link TransportFailure}.
 */
export async function socks5Handshake(
  socket: Socket,
  proxy: HostPort,
  auth: ProxyCredentials | undefined,
  destination: HostPort,
  timeoutMs: number,
  hop: string,
): Promise<number> {
  const startMs = performance.now();
  try {
    await SocksClient.createConnection({
      command: 'connect',
      proxy: { host: proxy.host, port: proxy.port, type: 5, userId: auth?.username, password: auth?.password },
      destination: { host: destination.host, port: destination.port },
      existing_socket: socket,
      timeout: timeoutMs,
    });
  } catch (err) {
    throw socksFailure(err, hop);
  }
  const handshakeUs = elapsedUs(startMs);
  // After 'established' the socks client resumes the socket on the next turn (setImmediate); let
  // it do so before the socket is handed on, so nothing of ours reads it in between.
  await new Promise((resolve) => setImmediate(resolve));
  return handshakeUs;
}

/** The socks package reports failures as messages only (its ERRORS constants); map them to causes. */
export function socksFailure(err: unknown, hop: string): TransportFailure {
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith('Socks5 Authentication failed')) return new TransportFailure('proxy_auth', 'SOCKS5 username/password rejected');
  if (message.includes('no accepted authentication type')) return new TransportFailure('proxy_auth', 'SOCKS5 proxy accepts none of the offered authentication methods');
  if (message.startsWith('Socks5 proxy rejected connection')) {
    return new TransportFailure('proxy_refused', `SOCKS5 reply ${message.slice(message.lastIndexOf('-') + 1).trim()}`);
  }
  if (message.startsWith('Proxy connection timed out')) return new TransportFailure('timeout_handshake', `no SOCKS5 reply from ${hop} within the handshake limit`);
  if (message.startsWith('Socket closed') || /ECONNRESET|EPIPE/.test(message)) return new TransportFailure('reset', `${hop} closed the connection during the SOCKS5 handshake`);
  return new TransportFailure('other', `SOCKS5 handshake with ${hop}: ${message}`);
}
