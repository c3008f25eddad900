import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResponseGate } from '../../mock-targets/origins/response-gate.js';

describe('ResponseGate', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts responses at once when not paused', () => {
    const gate = new ResponseGate();
    const started: string[] = [];
    gate.whenOpen(() => started.push('a'));
    expect(started).toEqual(['a']);
  });

  it('holds responses for the pause and then starts them in arrival order', () => {
    const gate = new ResponseGate();
    const started: string[] = [];
    gate.pause(100);
    gate.whenOpen(() => started.push('a'));
    gate.whenOpen(() => started.push('b'));
    vi.advanceTimersByTime(99);
    expect(started).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(started).toEqual(['a', 'b']);
    gate.whenOpen(() => started.push('c'));
    expect(started).toEqual(['a', 'b', 'c']);
  });

  it('lets a later pause replace the end of the stall', () => {
    const gate = new ResponseGate();
    const started: string[] = [];
    gate.pause(100);
    gate.whenOpen(() => started.push('a'));
    gate.pause(300);
    vi.advanceTimersByTime(299);
    expect(started).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(started).toEqual(['a']);
  });

  it('resumes at once on pause(0)', () => {
    const gate = new ResponseGate();
    const started: string[] = [];
    gate.pause(60_000);
    gate.whenOpen(() => started.push('a'));
    gate.pause(0);
    expect(started).toEqual(['a']);
    expect(gate.holding).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('drops held responses and its timer on close', () => {
    const gate = new ResponseGate();
    const started: string[] = [];
    gate.pause(100);
    gate.whenOpen(() => started.push('a'));
    gate.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(started).toEqual([]);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])('refuses pause(%s)', (ms) => {
    expect(() => new ResponseGate().pause(ms)).toThrow(RangeError);
  });
});
