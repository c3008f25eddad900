import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { BUILT_IN_SCENARIOS } from '../../scenarios/catalog.js';
import { validateScenario } from '../../scenarios/validate-scenario.js';

const minimal = { name: 'mine', mix: [{ kind: 'a', protocol: 'http-forward', operation: { op: 'download', bytes: '4KiB' } }] };

describe("a user's own scenario file", () => {
  it('takes units as people write them and fills the defaults', () => {
    const s = validateScenario({ ...minimal, defaults: { duration: '30s', warmup: '500ms', concurrency: 8, stages: '5s:10,5s:0' } }, 'mine.json');
    expect(s.mix[0]).toEqual({ kind: 'a', weight: 1, protocol: 'http-forward', origin: 'http', operation: { op: 'download', bytes: 4096 } });
    expect(s.defaults).toMatchObject({ durationMs: 30_000, warmupMs: 500, concurrency: 8, stages: [{ durationMs: 5000, target: 10 }, { durationMs: 5000, target: 0 }] });
  });

  it("reads a mix entry's kind from `name` too, as scenario files before 0.2 wrote it", () => {
    const s = validateScenario({ name: 'old', mix: [{ name: 'get-4k', protocol: 'http-forward', operation: { op: 'download', bytes: '4KiB' } }] }, 'old.json');
    expect(s.mix.map((entry) => entry.kind)).toEqual(['get-4k']);
    expect(() => validateScenario({ name: 'twice', mix: [{ kind: 'a', protocol: 'direct', operation: { op: 'download', bytes: 1 } }, { name: 'a', protocol: 'direct', operation: { op: 'download', bytes: 1 } }] }, 'twice.json'))
      .toThrow("scenario.mix: request kind 'a' appears twice");
  });

  it.each([
    [{ op: 'delay', delay: '5ms', jitter: '40ms', bytes: 64 }, { op: 'delay', bytes: 64, delayMs: 5, jitterMs: 40 }],
    [{ op: 'delay', delay: '5ms', jitter: 0, bytes: 64 }, { op: 'delay', bytes: 64, delayMs: 5 }],
    [{ op: 'delay', delay: '5ms', bytes: 64 }, { op: 'delay', bytes: 64, delayMs: 5 }],
  ])('reads the delay operation %j, jitter in whole milliseconds', (operation, expected) => {
    const s = validateScenario({ ...minimal, mix: [{ kind: 'slow', protocol: 'http-forward', operation }] }, 'delay.json');
    expect(s.mix[0]?.operation).toStrictEqual(expected);
  });

  it('accepts a hold (many-connections) section', () => {
    const s = validateScenario({ ...minimal, hold: { connections: 500, protocol: 'socks5', hold: '20s', trickle: '1s' } }, 'hold.json');
    expect(s.hold).toEqual({ connections: 500, protocol: 'socks5', origin: 'http', holdMs: 20_000, trickleIntervalMs: 1000 });
  });

  it('accepts a hold of WebSockets (held: websocket); a bare connection is the default', () => {
    const s = validateScenario({ ...minimal, hold: { connections: 5, protocol: 'connect', held: 'websocket' } }, 'hold.json');
    expect(s.hold?.held).toBe('websocket');
    const bare = validateScenario({ ...minimal, hold: { connections: 5, protocol: 'connect', held: 'connection' } }, 'hold.json');
    expect(bare.hold?.held).toBeUndefined();
  });

  it.each([
    [{ ...minimal, mix: [] }, 'scenario.mix'],
    [{ ...minimal, mix: [{ kind: 'a', protocol: 'gopher', operation: { op: 'download', bytes: 1 } }] }, 'scenario.mix[0].protocol'],
    [{ ...minimal, mix: [{ kind: 'a', protocol: 'http-forward', origin: 'https', operation: { op: 'download', bytes: 1 } }] }, 'scenario.mix[0].origin'],
    [{ ...minimal, mix: [{ kind: 'a', protocol: 'socks5', operation: { op: 'fly', bytes: 1 } }] }, 'scenario.mix[0].operation.op'],
    [{ ...minimal, mix: [{ kind: 'a', protocol: 'socks5', operation: { op: 'download', bytes: 'lots' } }] }, 'scenario.mix[0].operation.bytes'],
    [{ ...minimal, mix: [...minimal.mix, ...minimal.mix] }, 'scenario.mix'],
    [{ ...minimal, mix: [{ kind: 'a', protocol: 'socks5', operation: { op: 'delay', delay: '5ms', jitter: 'lots' } }] }, 'scenario.mix[0].operation.jitter'],
    [{ ...minimal, mix: [{ kind: 'a', protocol: 'socks5', operation: { op: 'udp-echo', datagrams: 100_001 } }] }, 'scenario.mix[0].operation.datagrams: expects at most 100000'],
    [{ ...minimal, defaults: { duration: 'soon' } }, 'scenario.defaults.duration'],
    [{ ...minimal, defaults: { concurrency: 0 } }, 'scenario.defaults.concurrency'],
    [{ ...minimal, hold: { connections: -1, protocol: 'connect' } }, 'scenario.hold.connections'],
    [{ ...minimal, hold: { connections: 1, protocol: 'connect', held: 'pigeon' } }, 'scenario.hold.held'],
  ])('rejects %j naming %s', (input, field) => {
    expect(() => validateScenario(input, 'x.json')).toThrow(UsageError);
    expect(() => validateScenario(input, 'x.json')).toThrow(field);
  });

  it('accepts every built-in scenario as data (they are the reference for users)', () => {
    for (const builtIn of BUILT_IN_SCENARIOS) {
      const asFile = JSON.parse(JSON.stringify({ ...builtIn, defaults: { duration: builtIn.defaults.durationMs / 1000, warmup: `${builtIn.defaults.warmupMs}ms`, concurrency: builtIn.defaults.concurrency } }));
      if (builtIn.hold) asFile.hold = { connections: builtIn.hold.connections, protocol: builtIn.hold.protocol, origin: builtIn.hold.origin, hold: `${builtIn.hold.holdMs}ms`, ...(builtIn.hold.held ? { held: builtIn.hold.held } : {}) };
      const parsed = validateScenario(asFile, `${builtIn.name}.json`);
      expect(parsed.mix).toEqual(builtIn.mix);
      expect(parsed.hold).toEqual(builtIn.hold);
    }
  });

  it('throws only usage errors on arbitrary JSON (fuzz)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          validateScenario(value, 'fuzz.json');
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }),
    );
  });
});
