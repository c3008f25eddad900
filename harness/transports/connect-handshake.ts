import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setupFailure } from './classify-error.js';
import { authorityOf, elapsedUs, type HostPort } from './connection-setup.js';
import { TransportFailure } from './transport-failure.js';

/** Largest CONNECT reply head we read before calling the proxy broken. */
const MAX_REPLY_HEAD_BYTES = 16 * 1024;
const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})/;

/**
 * Asks the proxy on `socket` for a tunnel to `target` (RFC 9110 §9.3.6: `CONNECT host:port`) and
 * waits for its reply, within `timeoutMs` (else `timeout_handshake`). Resolves with the handshake
 * time in µs once a 2xx arrived, leaving the socket paused at the first byte after the reply head,
 * ready for TLS or HTTP. A 407 fails with `proxy_auth`, any other status with `proxy_refused`.
 *
 * Written by hand rather than with node:http or undici's `connect()`: those would wrap every new
 * tunnel in a client object of their own, and we need the bare socket and exact timings.
 */
export function openConnectTunnel(socket: Socket, target: HostPort, proxyAuthorization: string | undefined, timeoutMs: number, hop: string): Promise<number> {
  const startMs = performance.now();
  const authority = authorityOf(target);
  const auth = proxyAuthorization === undefined ? '' : `Proxy-Authorization: ${proxyAuthorization}\r\n`;
  return new Promise((resolve, reject) => {
    let head: Buffer | null = null;
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('error', onError);
      socket.off('end', onClosed);
      socket.off('close', onClosed);
    };
    const fail = (err: TransportFailure): void => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new TransportFailure('timeout_handshake', `no CONNECT reply from ${hop} within ${timeoutMs} ms`)), timeoutMs);
    const onError = (err: Error): void => fail(setupFailure(err, 'proxy-handshake', hop));
    const onClosed = (): void => fail(new TransportFailure('reset', `${hop} closed the connection before answering CONNECT`));
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) {
        head = head === null ? chunk : Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > MAX_REPLY_HEAD_BYTES) return fail(new TransportFailure('proxy_refused', `CONNECT reply from ${hop} has no end of headers`));
          continue;
        }
        cleanup();
        // Bytes after the head belong to the tunnel (a proxy may send them with its 200).
        if (end + 4 < head.length) socket.unshift(head.subarray(end + 4));
        const status = Number(STATUS_LINE.exec(head.toString('latin1', 0, end))?.[1] ?? 0);
        if (status >= 200 && status < 300) return resolve(elapsedUs(startMs));
        socket.destroy();
        if (status === 407) return reject(new TransportFailure('proxy_auth', 'CONNECT answered 407 (authentication required)'));
        return reject(new TransportFailure('proxy_refused', status === 0 ? `CONNECT reply from ${hop} is not HTTP` : `CONNECT answered ${status}`));
      }
    };
    socket.on('readable', onReadable);
    socket.on('error', onError);
    socket.on('end', onClosed);
    socket.on('close', onClosed);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
  });
}
