import { Pool, type buildConnector, type Dispatcher } from 'undici';
import { BODY_BLOCK_BYTES, bodyBlock, bodyBlocks } from '../../core/origin-wire/deterministic-body.js';
import type { Protocol } from '../../core/scenario.js';
import type { ResponseSource } from './classify-status.js';
import { RequestHandler, type HandlerHost, type RequestLimits } from './request-handler.js';
import type { OriginAddress, PreparedRequest, RequestOutcome } from '../../core/request.js';
import type { Transport, TransportOptions } from './transport.js';

/** Connection-pool tunables shared by every transport. */
export const DEFAULTS = {
  /**
   * How long an idle keep-alive connection is kept, in ms, when the server does not say
   * (`Keep-Alive: timeout=`). undici's default of 4 s would reconnect between stages of a run and
   * show up as setup time that the proxy did not cause.
   */
  keepAliveTimeoutMs: 60_000,
  /** Upper bound on a server's own `Keep-Alive: timeout=` hint, in ms. */
  keepAliveMaxTimeoutMs: 600_000,
} as const;

/** What one kind of transport adds to the shared pool machinery. */
export interface PoolTransportSpec {
  readonly protocol: Protocol;
  /** Origin of the pool's connections as undici sees it: the proxy for forward mode, else the origin. */
  readonly poolOrigin: string;
  /** Opens one connection (and tunnel) ready for HTTP/1.1 to the origin. */
  readonly connect: buildConnector.connector;
  readonly responseSource: ResponseSource;
  /** Request target and extra headers for `request` (flat `[name, value, …]`); called once per request kind. */
  target(request: PreparedRequest): { readonly path: string; readonly headers: readonly string[] };
}

/** The request target for tunnels and direct: the origin-form path, no extra headers. */
export function originFormTarget(request: PreparedRequest): { readonly path: string; readonly headers: readonly string[] } {
  return { path: request.path, headers: [] };
}

/** undici accepts an Iterable body (docs/api/Dispatcher.md) though its typings list only Buffer and streams. */
type DispatchBody = Buffer | Iterable<Buffer> | null;

/** Dispatch options built once per request kind and reused for every request of it. */
interface PreparedDispatch {
  readonly options: Dispatcher.DispatchOptions;
  /** The same, forced onto a new connection that closes after the response. */
  readonly freshOptions: Dispatcher.DispatchOptions;
  /** Set when the request cannot go through this transport at all. */
  readonly unusable?: string;
}

/**
 * A {@link Transport} over an undici `Pool` driven with `dispatch()` and one handler object per
 * request (no streams, no promises inside undici). The pool keeps at most `maxConnections`
 * connections with pipelining 1. With `new-per-request`, each request asks undici to close its
 * connection after the response (`reset`), so the next one opens a new connection (and tunnel).
 *
 * A GET that meets a stale keep-alive connection (docs/measurement.md §7) is re-sent once on a second
 * pool whose requests all carry `reset`: undici closes each of its connections after one response
 * and never writes a second request on it, so the retry always goes on a connection opened for it.
 * undici 7 itself never re-sends a request that was written (with pipelining 1, client-h1.js fails
 * the head of the pipeline when the socket closes; requests not yet written simply wait for the
 * next connection), so every re-send is ours and counted. Before writing on an idle used socket it
 * does yield once to read a FIN already received (its idle-socket check); the request then goes on
 * a new connection and reports `connection: 'new'`, which is no retry.
 */
export class PoolTransport implements Transport, HandlerHost {
  readonly protocol: Protocol;
  readonly responseSource: ResponseSource;
  readonly limits: RequestLimits;
  private readonly pool: Pool;
  private freshPool: Pool | undefined;
  private readonly prepared = new WeakMap<PreparedRequest, PreparedDispatch>();
  private closed = false;

  constructor(
    private readonly options: TransportOptions,
    private readonly spec: PoolTransportSpec,
  ) {
    this.protocol = spec.protocol;
    this.responseSource = spec.responseSource;
    this.limits = options.timeouts;
    this.pool = this.createPool();
  }

  /** Sends `request`; resolves with its outcome, never rejects. */
  execute(request: PreparedRequest): Promise<RequestOutcome> {
    return new Promise<RequestOutcome>((resolve) => {
      const handler = new RequestHandler(this, request, resolve);
      try {
        const prepared = this.prepare(request);
        if (this.closed) return handler.fail('other', 'the transport is closed');
        if (prepared.unusable !== undefined) return handler.fail('other', prepared.unusable);
        this.pool.dispatch(prepared.options, handler);
      } catch (err) {
        // undici reports its own failures through the handler; this is for anything else, so
        // that execute() keeps its promise of never rejecting.
        handler.fail('other', err instanceof Error ? err.message : String(err));
      }
    });
  }

  /** Re-dispatches a stale GET on a connection opened for it; false once the transport is closed. */
  retryOnFreshConnection(handler: RequestHandler, request: PreparedRequest): boolean {
    if (this.closed) return false;
    handler.prepareRetry();
    this.freshPool ??= this.createPool();
    this.freshPool.dispatch(this.prepare(request).freshOptions, handler);
    return true;
  }

  /** Destroys every connection; requests still pending resolve as failures (`other`). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.pool.destroy(), this.freshPool?.destroy()]);
  }

  private createPool(): Pool {
    const { maxConnections } = this.options;
    return new Pool(this.spec.poolOrigin, {
      connections: maxConnections,
      pipelining: 1,
      connect: this.spec.connect,
      keepAliveTimeout: DEFAULTS.keepAliveTimeoutMs,
      keepAliveMaxTimeout: DEFAULTS.keepAliveMaxTimeoutMs,
      // The request handler enforces ttfb and idle itself, to the millisecond (request-handler.ts).
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  private prepare(request: PreparedRequest): PreparedDispatch {
    let prepared = this.prepared.get(request);
    if (prepared === undefined) {
      prepared = this.buildDispatch(request);
      this.prepared.set(request, prepared);
    }
    return prepared;
  }

  private buildDispatch(request: PreparedRequest): PreparedDispatch {
    const { path, headers } = this.spec.target(request);
    const upload = request.upload;
    const body: DispatchBody = upload === undefined || upload.bytes === 0
      ? null
      : upload.bytes <= BODY_BLOCK_BYTES
        ? bodyBlock(upload.seed, upload.bytes, 0)
        // A fresh generator per request: undici iterates the body anew each time it sends it.
        : { [Symbol.iterator]: () => bodyBlocks(upload.seed, upload.bytes) };
    const allHeaders = [...headers, ...(request.headers ?? []), ...(upload === undefined ? [] : ['content-length', String(upload.bytes)])];
    const options = {
      path,
      method: request.method,
      headers: allHeaders,
      body,
      reset: this.options.connectionPolicy === 'new-per-request',
    } as Dispatcher.DispatchOptions;
    const freshOptions = { ...options, reset: true };
    const unusable = sameOrigin(request.origin, this.options.origin)
      ? undefined
      : `request for ${request.origin.protocol}://${request.origin.host}:${request.origin.port} sent to the transport of another origin`;
    return unusable === undefined ? { options, freshOptions } : { options, freshOptions, unusable };
  }
}

function sameOrigin(a: OriginAddress, b: OriginAddress): boolean {
  return a.protocol === b.protocol && a.host === b.host && a.port === b.port;
}
