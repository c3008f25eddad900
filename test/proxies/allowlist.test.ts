import { describe, expect, it } from 'vitest';
import { Allowlist } from '../../mock-targets/proxies/allowlist.js';
import { resolveAllowedDestination, type LookupAll } from '../../mock-targets/proxies/resolve-destination.js';

const allow = new Allowlist([
  { host: '127.0.0.1', port: 8080 },
  { host: '[::1]', port: 8443 },
  { host: 'Origin.Test', port: 80 },
]);

describe('Allowlist', () => {
  it.each([
    ['127.0.0.1', 8080, true],
    ['::ffff:127.0.0.1', 8080, true],
    ['[::ffff:127.0.0.1]', 8080, true],
    ['127.0.0.1', 8081, false],
    ['127.0.0.2', 8080, false],
    ['::1', 8443, true],
    ['[::1]', 8443, true],
    ['0:0:0:0:0:0:0:1', 8443, true],
    ['::1', 8080, false],
    ['origin.test', 80, true],
    ['ORIGIN.TEST', 80, true],
    ['origin.test', 81, false],
  ])('says %s port %i is allowed: %s', (host, port, expected) => {
    expect(allow.allows(host, port)).toBe(expected);
  });

  it('serialises its entries with hosts normalised, for the proxy child process', () => {
    expect(JSON.parse(JSON.stringify(allow))).toEqual([
      { host: '127.0.0.1', port: 8080 },
      { host: '::1', port: 8443 },
      { host: 'origin.test', port: 80 },
    ]);
  });

  it('allows nothing when empty', () => {
    expect(new Allowlist([]).allows('127.0.0.1', 80)).toBe(false);
  });
});

describe('resolveAllowedDestination', () => {
  const fakeDns: LookupAll = (host) => {
    const table: Record<string, string[]> = {
      'dual.test': ['::1', '127.0.0.1'],
      'elsewhere.test': ['10.0.0.1', '192.0.2.7'],
    };
    const addresses = table[host];
    return addresses ? Promise.resolve(addresses.map((address) => ({ address }))) : Promise.reject(new Error('ENOTFOUND'));
  };

  it.each([
    ['an allowed IP literal', '127.0.0.1', 8080, { ok: true, address: '127.0.0.1' }],
    ['an IP literal on another port', '127.0.0.1', 9, { ok: false, reason: 'not-allowed' }],
    ['a name with one allowed address among several', 'dual.test', 8080, { ok: true, address: '127.0.0.1' }],
    ['a name whose addresses are all elsewhere', 'elsewhere.test', 8080, { ok: false, reason: 'not-allowed' }],
    ['a name on the list whose addresses are elsewhere', 'origin.test', 80, { ok: false, reason: 'unresolvable' }],
    ['a name that does not resolve', 'nowhere.test', 8080, { ok: false, reason: 'unresolvable' }],
  ])('answers %s with the resolved verdict', async (_name, host, port, expected) => {
    expect(await resolveAllowedDestination(allow, host, port, fakeDns)).toEqual(expected);
  });
});
