import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * Tells a request which socket undici wrote it on, and whether that socket was opened for it.
 *
 * undici's dispatch handler never sees the socket. But in `writeH1` (lib/dispatcher/client-h1.js,
 * undici 7) it calls `request.onConnect(abort)` — which reaches the handler's `onRequestStart` —
 * and then, synchronously in the same function with no await in between, publishes
 * `undici:client:sendHeaders` with `{ request, headers, socket }`. So a handler marks itself as
 * the one expecting a socket in `onRequestStart`, and the single subscriber below hands the
 * published socket to it. The connect functions record each new socket's setup timings here;
 * the first request to meet the socket takes them (the connection is `new` for it), every later
 * one finds none (`reused`).
 */

/** Setup phases of one connection, in microseconds; -1 for a phase the connection did not have. */
export interface SetupTimings {
  /** TCP connect to the first hop (the proxy, or the origin for direct). */
  readonly connectUs: number;
  /** CONNECT request to its 2xx reply, or the SOCKS5 negotiation up to its reply. */
  readonly proxyHandshakeUs: number;
  /** TLS handshake with the origin (inside the tunnel when there is one). */
  readonly tlsUs: number;
}

/** Something that wants to learn the socket its request is written on. */
export interface SocketObserver {
  /** Called synchronously once the request's headers are about to be written on `socket`. */
  onSocket(socket: object): void;
}

/** Sockets opened by our connect functions and not yet used by a request, with their timings. */
const freshSockets = new WeakMap<object, SetupTimings>();
let expecting: SocketObserver | null = null;

/** Records that `socket` was just opened, with how long its setup phases took. */
export function recordFreshSocket(socket: object, timings: SetupTimings): void {
  freshSockets.set(socket, timings);
}

/**
 * The setup timings of `socket` if no request has used it yet (and marks it used), else
 * undefined: the socket is being reused.
 */
export function takeFreshSetup(socket: object): SetupTimings | undefined {
  const timings = freshSockets.get(socket);
  if (timings !== undefined) freshSockets.delete(socket);
  return timings;
}

/** Marks `observer` as the request undici is about to write; call it from `onRequestStart`. */
export function expectSocket(observer: SocketObserver): void {
  expecting = observer;
}

/**
 * Forgets `observer` if it still waits (its request ended before being written, e.g. aborted in
 * `onRequestStart`), so the socket of some other undici user is never handed to it.
 */
export function stopExpecting(observer: SocketObserver): void {
  if (expecting === observer) expecting = null;
}

interface SendHeadersMessage {
  readonly socket: object;
}

// One subscriber for the process: other undici users (e.g. global fetch, which publishes on the
// same channel) find `expecting` null, because only our handlers set it, right before the write.
diagnosticsChannel.subscribe('undici:client:sendHeaders', (message) => {
  const observer = expecting;
  if (observer === null) return;
  expecting = null;
  observer.onSocket((message as SendHeadersMessage).socket);
});
