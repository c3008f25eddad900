import { createHash, type Hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Checks the body of a user's own target (core/user-target.ts), whose bytes we cannot know: its
 * length against the response's `Content-Length` when it has one (a chunked body has only its
 * framing, which undici checks, and is counted), and, when the user gave a digest, its SHA-256,
 * hashed chunk by chunk as it streams (never held). undici already fails a body that ends short of
 * its Content-Length (`reset`); the length check here is what says so if one ever got through.
 */
export class TargetBodyCheck {
  private expectedBytes: number | undefined;
  private receivedBytes = 0;
  private readonly hash: Hash | null;

  /** @param sha256Hex the digest the body must have (lower-case hex), or undefined for length only */
  constructor(private readonly sha256Hex: string | undefined) {
    this.hash = sha256Hex === undefined ? null : createHash('sha256');
  }

  /** The 2xx response's headers: learns the length it announces (none with Transfer-Encoding, RFC 9112 §6.3). */
  start(headers: IncomingHttpHeaders): void {
    const length = headers['content-length'];
    if (headers['transfer-encoding'] !== undefined || length === undefined || !/^\d+$/.test(length)) return;
    this.expectedBytes = Number(length);
  }

  /** Feeds the next body chunk. */
  update(chunk: Buffer): void {
    this.receivedBytes += chunk.length;
    this.hash?.update(chunk);
  }

  /** Why the body is wrong (an `integrity` failure), or undefined when it passed. */
  problem(): string | undefined {
    if (this.expectedBytes !== undefined && this.receivedBytes !== this.expectedBytes) {
      return `body has ${this.receivedBytes} bytes, Content-Length said ${this.expectedBytes}`;
    }
    if (this.hash === null || this.sha256Hex === undefined) return undefined;
    const digest = this.hash.digest('hex');
    return digest === this.sha256Hex ? undefined : `body SHA-256 ${digest} differs from the expected ${this.sha256Hex} (${this.receivedBytes} bytes)`;
  }
}
