import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { blockCount, bodyBlock } from '../../core/origin-wire/deterministic-body.js';
import { MAX_DELAY_MS, ORIGIN_TIMING_HEADER, originTimingValue, parseOriginTarget } from '../../core/origin-wire/origin-paths.js';
import type { ResponseGate } from './response-gate.js';

/** Counters of one origin since it started. */
export interface OriginStats {
  /** Requests whose headers arrived (each is answered unless its connection closes first). */
  readonly requests: number;
  /** The same requests by what they asked for (`other` = 404, 400 and 405 answers). */
  readonly requestsByPath: { readonly bytes: number; readonly delay: number; readonly echoDigest: number; readonly other: number };
  /** Response body bytes handed to the sockets (headers not counted). */
  readonly bytesSent: number;
  /** Request body bytes read (headers not counted). */
  readonly bytesReceived: number;
}

/**
 * Serves the origin's paths (origin-paths.ts) for node:http and node:https alike. Every response
 * it makes carries `server-timing: origin;dur=<ms>` from the request's headers arriving to the
 * response's headers being written: the harness tells an origin's answer from one a proxy made up
 * by that header, so errors carry it too.
 */
export class OriginRequestHandler {
  private readonly counters = {
    requests: 0,
    requestsByPath: { bytes: 0, delay: 0, echoDigest: 0, other: 0 },
    bytesSent: 0,
    bytesReceived: 0,
  };
  /** One function for every request, so counting a body allocates no closure. */
  private readonly countReceived = (chunk: Buffer): void => {
    this.counters.bytesReceived += chunk.length;
  };

  constructor(private readonly gate: ResponseGate) {}

  /** A copy of the counters. */
  stats(): OriginStats {
    return { ...this.counters, requestsByPath: { ...this.counters.requestsByPath } };
  }

  /** The `request` listener: answers one request. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const startMs = performance.now();
    this.counters.requests++;
    const target = parseOriginTarget(req.url ?? '/');
    const byPath = this.counters.requestsByPath;
    const hashesItsBody = target.kind === 'echo-digest' && req.method === 'POST';
    if (!hashesItsBody && hasBody(req)) req.on('data', this.countReceived);
    switch (target.kind) {
      case 'bytes':
        byPath.bytes++;
        if (req.method !== 'GET') return this.refuseMethod(res, startMs, 'GET');
        // Inline rather than whenOpen(() => …): the 1 KiB download is the hot path, keep it closure-free.
        if (this.gate.holding) this.gate.whenOpen(() => this.sendBody(res, startMs, target.bytes, target.seed));
        else this.sendBody(res, startMs, target.bytes, target.seed);
        return;
      case 'delay':
        byPath.delay++;
        if (req.method !== 'GET') return this.refuseMethod(res, startMs, 'GET');
        return this.sendAfterDelay(res, startMs, delayWithJitterMs(target.delayMs, target.jitterMs), target.bytes, target.seed);
      case 'echo-digest':
        byPath.echoDigest++;
        if (!hashesItsBody) return this.refuseMethod(res, startMs, 'POST');
        return this.echoDigest(req, res, startMs);
      case 'bad-number':
        byPath.other++;
        return this.gate.whenOpen(() => this.sendText(res, startMs, 400, `bad request: ${target.detail}\n`));
      case 'not-found':
        byPath.other++;
        return this.gate.whenOpen(() => this.sendText(res, startMs, 404, 'not found: see mock-targets/origins/origin-paths.ts\n'));
    }
  };

  /** 200 with the deterministic body, block by block, never more than one block queued past `drain`. */
  private sendBody(res: ServerResponse, startMs: number, bytes: number, seed: number): void {
    if (res.destroyed) return;
    res.writeHead(200, headers(startMs, 'application/octet-stream', bytes));
    const blocks = blockCount(bytes);
    if (blocks === 0) {
      res.end();
      return;
    }
    if (blocks === 1) {
      this.counters.bytesSent += bytes;
      res.end(bodyBlock(seed, bytes, 0));
      return;
    }
    let next = 0;
    const pump = (): void => {
      while (next < blocks && !res.destroyed) {
        const block = bodyBlock(seed, bytes, next++);
        this.counters.bytesSent += block.length;
        if (next === blocks) res.end(block);
        else if (!res.write(block)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }

  /** 200 with the body once `delayMs` have passed since the request arrived, as server-timing shows. */
  private sendAfterDelay(res: ServerResponse, startMs: number, delayMs: number, bytes: number, seed: number): void {
    let timer: NodeJS.Timeout | undefined;
    const wait = (): void => {
      // libuv times timers from the loop's cached clock, so one can fire a little before `delayMs`
      // have passed since startMs; the delay is a promise ("at least"), so wait out the remainder.
      const leftMs = delayMs - (performance.now() - startMs);
      if (leftMs > 0) timer = setTimeout(wait, Math.ceil(leftMs));
      else this.gate.whenOpen(() => this.sendBody(res, startMs, bytes, seed));
    };
    wait();
    // A client that leaves, or close() destroying the socket, must not leave the timer behind.
    res.once('close', () => clearTimeout(timer));
  }

  /** Hashes the upload as it streams and answers `{"bytes":n,"sha256":"<hex>"}`. */
  private echoDigest(req: IncomingMessage, res: ServerResponse, startMs: number): void {
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      this.counters.bytesReceived += chunk.length;
    });
    req.once('end', () => {
      const json = `{"bytes":${bytes},"sha256":"${hash.digest('hex')}"}`;
      this.gate.whenOpen(() => this.sendSmall(res, startMs, 200, 'application/json', json));
    });
  }

  private refuseMethod(res: ServerResponse, startMs: number, allow: string): void {
    res.setHeader('allow', allow);
    this.gate.whenOpen(() => this.sendText(res, startMs, 405, `method not allowed: use ${allow}\n`));
  }

  private sendText(res: ServerResponse, startMs: number, status: number, text: string): void {
    this.sendSmall(res, startMs, status, 'text/plain; charset=utf-8', text);
  }

  private sendSmall(res: ServerResponse, startMs: number, status: number, contentType: string, body: string): void {
    if (res.destroyed) return;
    const bytes = Buffer.byteLength(body);
    res.writeHead(status, headers(startMs, contentType, bytes));
    this.counters.bytesSent += bytes;
    res.end(body);
  }
}

/**
 * `delayMs` plus a uniform random share of `jitterMs`, capped where setTimeout still honours it.
 * Math.random, not the request's seed: the point is a service time that differs request by request.
 */
function delayWithJitterMs(delayMs: number, jitterMs: number | undefined): number {
  if (jitterMs === undefined) return delayMs;
  return Math.min(MAX_DELAY_MS, delayMs + Math.random() * jitterMs);
}

/** Response headers as node:http's flat list, the form it serialises without building an object. */
function headers(startMs: number, contentType: string, contentLengthBytes: number): OutgoingHttpHeader[] {
  return [
    'content-type',
    contentType,
    'content-length',
    String(contentLengthBytes),
    ORIGIN_TIMING_HEADER,
    originTimingValue(performance.now() - startMs),
  ];
}

/** Whether a request body follows the headers (RFC 9112 §6.3: framed by either field). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}
