import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { createMemberPicker } from '../../core/proxy-pick.js';
import { parseProxyInputs, parseProxySet, poolOf, proxyFor } from '../../core/proxy-set.js';

function counts(picks: () => number, n: number, size: number): number[] {
  const out = new Array<number>(size).fill(0);
  for (let i = 0; i < n; i++) out[picks()]!++;
  return out;
}

describe('picking a pool member', () => {
  it('round-robin takes each member in turn', () => {
    const picker = createMemberPicker('round-robin', [1, 1, 1], 1);
    expect(Array.from({ length: 7 }, () => picker.next())).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('weighted gives each member exactly its weight in every cycle, interleaved, and stays within one pick of the ratio', () => {
    const picker = createMemberPicker('weighted', [3, 1], 1);
    const sequence = Array.from({ length: 400 }, () => picker.next());
    expect(sequence.slice(0, 4)).toEqual([0, 0, 1, 0]);
    let taken = 0;
    sequence.forEach((member, i) => {
      if (member === 1) taken++;
      expect(Math.abs(taken - (i + 1) / 4)).toBeLessThan(1);
    });
    expect(counts(createMemberPicker('weighted', [5, 2, 1], 9).next, 800, 3)).toEqual([500, 200, 100]);
  });

  it('random is reproducible from its seed, differs between seeds, and reaches every member', () => {
    const draw = (seed: number) => {
      const picker = createMemberPicker('random', [1, 1, 1, 1], seed);
      return Array.from({ length: 200 }, () => picker.next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    const spread = counts(createMemberPicker('random', [1, 1, 1, 1], 3).next, 4000, 4);
    // 1000 expected each; 6 standard deviations (~164) apart would be a broken generator.
    for (const n of spread) expect(Math.abs(n - 1000)).toBeLessThan(164);
  });
});

describe('parsing a pool', () => {
  it('keeps the members in the order given, several of a kind, with #weight=N under weighted', () => {
    const set = parseProxySet('--proxy', ['socks5://127.0.0.1:1080', 'http://u:p@127.0.0.1:3128#weight=3', 'http://127.0.0.1:3129'], 'weighted');
    expect(set.members.map((m) => [m.endpoint.kind, m.endpoint.port, m.weight])).toEqual([['socks5', 1080, 1], ['http', 3128, 3], ['http', 3129, 1]]);
    expect(poolOf(set, 'http').map((m) => m.index)).toEqual([1, 2]);
    expect(proxyFor(set, 'connect')?.port).toBe(3128);
    expect(set.members[1]!.endpoint.auth).toEqual({ username: 'u', password: 'p' });
  });

  it.each([
    [['http://h:1#weight=0'], 'weighted', /--proxy: the weight of 'http:\/\/h:1#weight=0' must be a whole number from 1/],
    [['http://h:1#weight=1.5'], 'weighted', /must be a whole number/],
    [['http://h:1#w=2'], 'weighted', /the only suffix a proxy URL takes is #weight=N/],
    [['http://h:1#weight=2'], 'round-robin', /^--proxy-pick: .*only --proxy-pick weighted uses/],
    [['http://h:1', 'http://h:1'], 'round-robin', /lists http:\/\/h:1 twice/],
    [['http://u:a@h:1', 'http://u:b@h:1'], 'round-robin', /different passwords/],
  ] as const)('refuses %j under %s', (urls, pick, message) => {
    let error: unknown;
    try {
      parseProxySet('--proxy', urls, pick);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('never shows a password in a weight error', () => {
    expect(() => parseProxySet('--proxy', ['http://u:s3cret@h:1#weight=x'], 'weighted')).toThrow(/u:\*\*\*@h:1/);
    expect(() => parseProxySet('--proxy', ['http://u:s3cret@h:1#weight=x'], 'weighted')).not.toThrow(/s3cret/);
  });

  it('takes a weight given apart from the URL (the typed API), but not twice', () => {
    expect(parseProxyInputs([{ field: '--proxy', url: 'http://h:1', weight: 4 }], 'weighted').members[0]!.weight).toBe(4);
    expect(() => parseProxyInputs([{ field: '--proxy', url: 'http://h:1#weight=2', weight: 4 }], 'weighted')).toThrow(/gives its weight twice/);
  });
});
