import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { MAX_WEBSOCKET_MESSAGE_BYTES, WEBSOCKET_ECHO_PATH } from '../../core/origin-wire/stream-contract.js';
import { listenOn } from './listen-on.js';
import { TEST_CA_PEM, TEST_SERVER_CERT_PEM, TEST_SERVER_KEY_PEM } from './test-certificate.js';

/** How to start a WebSocket echo. */
export interface WebSocketEchoOptions {
  /** `wss://` with the test certificate (test-certificate.ts) instead of `ws://`. */
  readonly tls?: boolean;
  /** Address to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** Port to listen on; default 0 (any free port). */
  readonly port?: number;
}

/** A WebSocket echo that is listening. */
export interface RunningWebSocketEcho {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** `ws://host:port/echo` or `wss://…`. */
  readonly url: string;
  /** TEST_CA_PEM when tls: the CA a client must trust. */
  readonly caPem?: string;
  /** Closes the server and every open connection; resolves when closed. */
  close(): Promise<void>;
}

/**
 * Above this many bytes queued for a client, the echo stops reading from it until they drain, so a
 * client that sends without reading cannot make the target hold its messages in memory.
 */
const ECHO_HIGH_WATER_BYTES = 1024 * 1024;

/**
 * Starts the WebSocket echo of the stream contract (core/origin-wire/stream-contract.ts): on path
 * `/echo` every text or binary message is sent back unchanged with its own opcode. Compression
 * (permessage-deflate) is never negotiated, so the bytes on the wire are the message's. Other
 * paths are answered 404, plain HTTP requests 426. Rejects with SetupError when it cannot listen.
 */
export async function startWebSocketEcho(options: WebSocketEchoOptions = {}): Promise<RunningWebSocketEcho> {
  const tls = options.tls ?? false;
  const host = options.host ?? '127.0.0.1';
  const server: Server = tls ? createHttpsServer({ cert: TEST_SERVER_CERT_PEM, key: TEST_SERVER_KEY_PEM }) : createHttpServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_WEBSOCKET_MESSAGE_BYTES });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (_request, response) => {
    response.writeHead(426, { connection: 'close', upgrade: 'websocket', 'content-type': 'text/plain' });
    response.end(`use a WebSocket on ${WEBSOCKET_ECHO_PATH}\n`);
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (pathOf(request.url) !== WEBSOCKET_ECHO_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, echo);
  });
  const port = await listenOn(server, host, options.port ?? 0, tls ? 'WebSocket echo (wss)' : 'WebSocket echo');
  let closing: Promise<void> | undefined;
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port,
    tls,
    url: `${tls ? 'wss' : 'ws'}://${hostInUrl}:${port}${WEBSOCKET_ECHO_PATH}`,
    ...(tls ? { caPem: TEST_CA_PEM } : {}),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        // A WebSocketServer without its own HTTP server leaves its clients open on close().
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** Echoes every message of one client, pausing its reads while too much waits to be sent. */
function echo(ws: WebSocket): void {
  // A client that breaks the protocol or resets is normal under load; ws then closes the connection.
  ws.on('error', () => ws.terminate());
  const resumeWhenDrained = (): void => {
    if (ws.isPaused && ws.bufferedAmount <= ECHO_HIGH_WATER_BYTES) ws.resume();
  };
  ws.on('message', (data: RawData, isBinary: boolean) => {
    ws.send(Array.isArray(data) ? Buffer.concat(data) : data, { binary: isBinary }, resumeWhenDrained);
    if (ws.bufferedAmount > ECHO_HIGH_WATER_BYTES) ws.pause();
  });
}

/** The path of a request target, without its query. */
function pathOf(url: string | undefined): string {
  const target = url ?? '';
  const query = target.indexOf('?');
  return query < 0 ? target : target.slice(0, query);
}
