import { createServer as createHttpServer, type Server, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { OriginAddress } from '../../core/request.js';
import { listenOn } from './listen-on.js';
import { ORIGIN_TIMING_HEADER, originTimingValue } from '../../core/origin-wire/origin-paths.js';
import { OriginRequestHandler, type OriginStats } from './origin-request-handler.js';
import { ResponseGate } from './response-gate.js';
import { TEST_CA_PEM, TEST_SERVER_CERT_PEM, TEST_SERVER_KEY_PEM } from './test-certificate.js';

/** Tunables of the mock origin. */
export const DEFAULTS = {
  /** Loopback only: the origin is a target for the proxy under test, never a public server. */
  host: '127.0.0.1',
  /** 0 = a free port chosen by the OS. */
  port: 0,
  /**
   * Idle keep-alive connections stay open this long (ms). Longer than a proxy commonly
   * keeps idle origin connections (squid's server_idle_pconn_timeout: 60 s), so in a run it is the
   * proxy, not the origin, that decides when to close.
   */
  keepAliveTimeoutMs: 65_000,
} as const;

/** How to start an origin. */
export interface OriginOptions {
  /** HTTPS with the test certificate (test-certificate.ts) instead of HTTP. */
  readonly tls?: boolean;
  /** Address to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** Port to listen on; default 0 (any free port). */
  readonly port?: number;
}

/** A mock origin that is listening. */
export interface RunningOrigin {
  readonly address: OriginAddress;
  /** TEST_CA_PEM when tls: the CA a client must trust to reach this origin. */
  readonly caPem?: string;
  /** Holds every response not yet started for `ms` (requests still arrive and queue) — a stall. A later call replaces the end of the stall; `pause(0)` resumes now. */
  pause(ms: number): void;
  /** Counters since start: requests served by path kind, bytes sent, bytes received. */
  stats(): OriginStats;
  /** Closes the server and every open connection (idle keep-alive ones included); resolves when closed. */
  close(): Promise<void>;
}

const SERVER_OPTIONS: ServerOptions = {
  keepAliveTimeout: DEFAULTS.keepAliveTimeoutMs,
  // node:http's default cuts any request still being received after 300 s, which would fail a
  // long upload in a long run; the run's own timeouts are the harness's business. (This also turns
  // off headersTimeout, which node:http caps at requestTimeout: fine for a loopback target.)
  requestTimeout: 0,
  // Small responses leave in one write; Nagle would hold them for the client's delayed ACK.
  noDelay: true,
};

/** Starts an HTTP (or HTTPS) mock origin; rejects with SetupError when it cannot listen. */
export async function startOrigin(options: OriginOptions = {}): Promise<RunningOrigin> {
  const tls = options.tls ?? false;
  const gate = new ResponseGate();
  const handler = new OriginRequestHandler(gate);
  const server: Server = tls
    ? createHttpsServer({ ...SERVER_OPTIONS, cert: TEST_SERVER_CERT_PEM, key: TEST_SERVER_KEY_PEM }, handler.handle)
    : createHttpServer(SERVER_OPTIONS, handler.handle);
  server.on('clientError', answerClientError);
  // Every accepted TCP socket, so close() ends them all: idle keep-alive ones, and TLS sockets
  // still in their handshake, which node:http's closeAllConnections() does not know about yet.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const host = options.host ?? DEFAULTS.host;
  const port = await listenOn(server, host, options.port ?? DEFAULTS.port, 'mock origin');
  let closing: Promise<void> | undefined;
  return {
    address: { protocol: tls ? 'https' : 'http', host, port },
    ...(tls ? { caPem: TEST_CA_PEM } : {}),
    pause: (ms) => gate.pause(ms),
    stats: () => handler.stats(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        gate.close();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** Status for node:http's parser errors: RFC 9110 §15.5.1, RFC 6585 §5, RFC 9110 §15.5.9. */
function clientErrorStatus(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  return '400 Bad Request';
}

/**
 * Answers a request node:http could not parse. Its default answer lacks server-timing, and the
 * harness would then blame the proxy for an error the origin made.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = 'bad request: unparsable HTTP\n';
  socket.end(
    `HTTP/1.1 ${clientErrorStatus(err.code)}\r\n` +
      `${ORIGIN_TIMING_HEADER}: ${originTimingValue(0)}\r\n` +
      `content-type: text/plain; charset=utf-8\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
  );
}
