import { createHash } from 'node:crypto';

/**
 * Deterministic bodies: the mock origin serves them and the harness verifies every byte as it
 * streams, without the origin sending a hash (docs/measurement.md §4). The body of `length` bytes for `seed`
 * is a sequence of 64 KiB blocks; block k is a xorshift32 stream seeded from (seed, length, k), so
 * any block can be made on its own (large bodies stream without being held whole) and a body cut
 * short, shifted or mixed with another request's body never matches.
 */

/** Size of one independently generated block. */
export const BODY_BLOCK_BYTES = 64 * 1024;

/** Blocks of bodies up to this size are cached (most scenarios use a handful of sizes). */
const CACHE_LIMIT_BYTES = 32 * 1024 * 1024;
const blockCache = new Map<string, Buffer>();
let cachedBytes = 0;

function blockSeed(seed: number, length: number, block: number): number {
  // FNV-1a over the three numbers: cheap and spreads nearby inputs apart.
  let h = 0x811c9dc5;
  for (const n of [seed >>> 0, length % 0x1_0000_0000 >>> 0, Math.floor(length / 0x1_0000_0000) >>> 0, block >>> 0]) {
    for (let i = 0; i < 4; i++) {
      h ^= (n >>> (i * 8)) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h === 0 ? 0x9e3779b9 : h;
}

function generateBlock(seed: number, length: number, block: number): Buffer {
  const size = Math.min(BODY_BLOCK_BYTES, length - block * BODY_BLOCK_BYTES);
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = blockSeed(seed, length, block);
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  return Buffer.from(words.buffer, 0, size);
}

/**
 * Block `block` of the body (`length` bytes, `seed`). Cached while the cache holds under 32 MiB,
 * so steady-state serving and verifying cost a memcmp, not a PRNG run.
 */
export function bodyBlock(seed: number, length: number, block: number): Buffer {
  const key = `${seed}:${length}:${block}`;
  const cached = blockCache.get(key);
  if (cached) return cached;
  const generated = generateBlock(seed, length, block);
  if (cachedBytes + generated.length <= CACHE_LIMIT_BYTES) {
    blockCache.set(key, generated);
    cachedBytes += generated.length;
  }
  return generated;
}

/** Number of blocks in a body of `length` bytes. */
export function blockCount(length: number): number {
  return Math.ceil(length / BODY_BLOCK_BYTES);
}

/** Yields the body block by block; nothing larger than one block is held. */
export function* bodyBlocks(seed: number, length: number): Generator<Buffer> {
  for (let k = 0; k < blockCount(length); k++) yield bodyBlock(seed, length, k);
}

/** SHA-256 (hex) of the body, computed block by block; cached per (seed, length). */
const digestCache = new Map<string, string>();
export function bodySha256Hex(seed: number, length: number): string {
  const key = `${seed}:${length}`;
  const cached = digestCache.get(key);
  if (cached !== undefined) return cached;
  const hash = createHash('sha256');
  for (const block of bodyBlocks(seed, length)) hash.update(block);
  const hex = hash.digest('hex');
  if (digestCache.size < 1024) digestCache.set(key, hex);
  return hex;
}

/** Result of checking a streamed body. */
export type BodyVerdict = 'ok' | 'corrupt' | 'truncated' | 'overlong';

/**
 * Checks a body chunk by chunk against the deterministic body, comparing with native memcmp. It
 * keeps only an offset, never the body.
 */
export class BodyVerifier {
  private offset = 0;
  private corrupt = false;

  constructor(
    private readonly seed: number,
    private readonly length: number,
  ) {}

  /** Length of the body this verifier expects, in bytes. */
  get expectedBytes(): number {
    return this.length;
  }

  /** Bytes seen so far. */
  get received(): number {
    return this.offset;
  }

  /** Feeds the next chunk; returns false as soon as the body is known to be wrong. */
  update(chunk: Uint8Array): boolean {
    if (this.corrupt) return false;
    let at = 0;
    while (at < chunk.length) {
      if (this.offset >= this.length) {
        this.offset += chunk.length - at;
        this.corrupt = true;
        return false;
      }
      const block = Math.floor(this.offset / BODY_BLOCK_BYTES);
      const within = this.offset - block * BODY_BLOCK_BYTES;
      const expected = bodyBlock(this.seed, this.length, block);
      const n = Math.min(chunk.length - at, expected.length - within);
      if (Buffer.compare(chunk.subarray(at, at + n), expected.subarray(within, within + n)) !== 0) {
        this.corrupt = true;
        this.offset += chunk.length - at;
        return false;
      }
      at += n;
      this.offset += n;
    }
    return true;
  }

  /** The verdict once the body has ended. */
  finish(): BodyVerdict {
    if (this.offset > this.length) return 'overlong';
    if (this.corrupt) return 'corrupt';
    if (this.offset < this.length) return 'truncated';
    return 'ok';
  }
}
