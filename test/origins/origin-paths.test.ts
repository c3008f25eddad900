import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  delayPath,
  downloadPath,
  MAX_DELAY_MS,
  MAX_SEED,
  originTimingValue,
  parseOriginTarget,
  parseOriginTimingMs,
  parseOriginTimingUs,
} from '../../core/origin-wire/origin-paths.js';

describe('origin paths', () => {
  it('builds the download and delay targets the origin documents', () => {
    expect(downloadPath(1024, 7)).toBe('/bytes/1024?seed=7');
    expect(delayPath(250, 1024, 7)).toBe('/delay/250?bytes=1024&seed=7');
    expect(delayPath(5, 1024, 7, 40)).toBe('/delay/5?bytes=1024&seed=7&jitter=40');
    expect(delayPath(5, 1024, 7, 0)).toBe('/delay/5?bytes=1024&seed=7');
  });

  it.each([
    ['/bytes/1024?seed=7', { kind: 'bytes', bytes: 1024, seed: 7 }],
    ['/bytes/0', { kind: 'bytes', bytes: 0, seed: 0 }],
    ['/bytes/5?x=1&seed=9&y', { kind: 'bytes', bytes: 5, seed: 9 }],
    ['/bytes/5?seeds=9', { kind: 'bytes', bytes: 5, seed: 0 }],
    [`/bytes/1?seed=${MAX_SEED}`, { kind: 'bytes', bytes: 1, seed: MAX_SEED }],
    ['http://127.0.0.1:8080/bytes/3?seed=2', { kind: 'bytes', bytes: 3, seed: 2 }],
    ['/delay/250?bytes=10&seed=3', { kind: 'delay', delayMs: 250, bytes: 10, seed: 3 }],
    ['/delay/0', { kind: 'delay', delayMs: 0, bytes: 0, seed: 0 }],
    ['/delay/5?bytes=10&seed=3&jitter=40', { kind: 'delay', delayMs: 5, bytes: 10, seed: 3, jitterMs: 40 }],
    ['/delay/5?jitter=0', { kind: 'delay', delayMs: 5, bytes: 0, seed: 0 }],
    ['/echo-digest', { kind: 'echo-digest' }],
    ['/echo-digest?anything', { kind: 'echo-digest' }],
    ['/echo-digests', { kind: 'not-found' }],
    ['/', { kind: 'not-found' }],
    ['/bytes', { kind: 'not-found' }],
    ['*', { kind: 'not-found' }],
  ])('reads %s as what it asks for', (target, expected) => {
    expect(parseOriginTarget(target)).toEqual(expected);
  });

  it.each([
    '/bytes/',
    '/bytes/abc',
    '/bytes/-1',
    '/bytes/1.5',
    '/bytes/1e3',
    '/bytes/12345678901234567',
    '/bytes/10/extra',
    '/bytes/10?seed=',
    '/bytes/10?seed=x',
    `/bytes/10?seed=${MAX_SEED + 1}`,
    '/delay/abc',
    `/delay/${MAX_DELAY_MS + 1}`,
    '/delay/10?bytes=-3',
    '/delay/10?jitter=x',
    `/delay/10?jitter=${MAX_DELAY_MS + 1}`,
  ])('refuses the bad number in %s', (target) => {
    expect(parseOriginTarget(target).kind).toBe('bad-number');
  });

  it('reads back every download target it builds', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.nat({ max: MAX_SEED }), (bytes, seed) => {
        expect(parseOriginTarget(downloadPath(bytes, seed))).toEqual({ kind: 'bytes', bytes, seed });
      }),
    );
  });

  it('reads back every delay target it builds', () => {
    fc.assert(
      fc.property(fc.nat({ max: MAX_DELAY_MS }), fc.nat({ max: 1 << 30 }), fc.nat({ max: MAX_SEED }), (delayMs, bytes, seed) => {
        expect(parseOriginTarget(delayPath(delayMs, bytes, seed))).toEqual({ kind: 'delay', delayMs, bytes, seed });
      }),
    );
  });

  it('reads back every jittered delay target it builds', () => {
    fc.assert(
      fc.property(fc.nat({ max: MAX_DELAY_MS }), fc.integer({ min: 1, max: MAX_DELAY_MS }), fc.nat({ max: MAX_SEED }), (delayMs, jitterMs, seed) => {
        expect(parseOriginTarget(delayPath(delayMs, 64, seed, jitterMs))).toEqual({ kind: 'delay', delayMs, bytes: 64, seed, jitterMs });
      }),
    );
  });

  it('never throws on an arbitrary target', () => {
    fc.assert(
      fc.property(fc.string(), (target) => {
        expect(['bytes', 'delay', 'echo-digest', 'bad-number', 'not-found']).toContain(parseOriginTarget(target).kind);
      }),
    );
  });
});

describe('origin server-timing', () => {
  it.each([
    ['origin;dur=12.345', 12.345],
    ['origin;dur=0.000', 0],
    ['proxy;dur=1, origin;dur=2.5', 2.5],
    ['origin; desc="mock"; dur=3', 3],
    ['origin;dur="4.25"', 4.25],
    ['origin;dur=1.5;desc=x', 1.5],
    [['cache;desc=hit', 'origin;dur=6'], 6],
    ['proxy;dur=1', undefined],
    ['origin', undefined],
    ['origin;dur=', undefined],
    ['origin;dur=-1', undefined],
    ['origin;dur=abc', undefined],
    ['', undefined],
    [undefined, undefined],
    [[], undefined],
  ])('reads the origin service time out of %j as %s ms', (value, expected) => {
    expect(parseOriginTimingMs(value)).toBe(expected);
  });

  it('reads back the value the origin writes, to the microsecond', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e7, noNaN: true }), (durMs) => {
        const ms = parseOriginTimingMs(originTimingValue(durMs)) ?? Number.NaN;
        // Three decimals: off by at most half a microsecond (plus float noise).
        expect(Math.abs(ms - durMs)).toBeLessThanOrEqual(0.0005 + 1e-9);
      }),
    );
  });
});

describe('origin server-timing in microseconds, as the transports read it', () => {
  it.each([
    ['origin;dur=12.345', 12_345],
    ['origin;dur=12.3', 12_300],
    ['origin;dur=12', 12_000],
    ['origin;dur=.5', 500],
    ['origin;dur=0.000', 0],
    ['origin;dur=0.0004', 0],
    ['origin;dur=1.2346', 1235],
    ['proxy;dur=1, origin;dur=2.5', 2500],
    ['origin;dur=2.5, proxy;dur=1', 2500],
    [['cache;desc=hit', 'origin;dur=6'], 6000],
    ['origin;dur=', -1],
    ['origin;dur=.', -1],
    ['origin;dur=-1', -1],
    ['proxy;dur=1', -1],
    ['', -1],
    [undefined, -1],
  ])('reads %j as %i µs', (value, expected) => {
    expect(parseOriginTimingUs(value)).toBe(expected);
  });

  it('agrees with the millisecond parser on any value', () => {
    const slow = (value: string): number => {
      const ms = parseOriginTimingMs(value);
      return ms === undefined ? -1 : Math.round(ms * 1000);
    };
    const numberish = fc.stringMatching(/^[0-9.]{0,14}$/);
    const values = fc.oneof(fc.string(), numberish.map((n) => `origin;dur=${n}`), numberish.map((n) => `origin;dur=${n}, x;dur=1`));
    fc.assert(
      fc.property(values, (value) => {
        expect(parseOriginTimingUs(value)).toBe(slow(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back the value the origin writes, to the microsecond', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e7, noNaN: true }), (durMs) => {
        expect(Math.abs(parseOriginTimingUs(originTimingValue(durMs)) - durMs * 1000)).toBeLessThanOrEqual(0.5 + 1e-6);
      }),
    );
  });
});
