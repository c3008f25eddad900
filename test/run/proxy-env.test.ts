import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { builtInScenario } from '../../scenarios/catalog.js';
import { refuseNoProxyMatch } from '../../harness/config/no-proxy.js';
import { proxiesFromEnvironment, type Environment } from '../../harness/config/proxy-env.js';

// curl's proxy variables as `--proxy env` reads them (the CLI's end-to-end tests are in
// test/e2e/proxy-env.test.ts); each case is what curl would do for the scenario's targets.
const fromEnv = (env: Environment, scenario: string) => proxiesFromEnvironment(env, builtInScenario(scenario)!);

describe('the proxies curl would take from the environment', () => {
  it('takes http_proxy for http targets and HTTPS_PROXY for https ones, naming the variable', () => {
    expect(fromEnv({ http_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2' }, 'http-get')).toEqual([{ field: '--proxy env (http_proxy)', url: 'http://a:1' }]);
    expect(fromEnv({ http_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2' }, 'https-connect')).toEqual([{ field: '--proxy env (HTTPS_PROXY)', url: 'http://b:2' }]);
    expect(fromEnv({ https_proxy: 'http://c:3', HTTPS_PROXY: 'http://b:2' }, 'https-connect')[0]!.url).toBe('http://c:3');
  });

  it('falls back to ALL_PROXY, and takes the SOCKS5 proxy from it', () => {
    expect(fromEnv({ ALL_PROXY: 'http://d:4' }, 'http-mixed')).toEqual([{ field: '--proxy env (ALL_PROXY)', url: 'http://d:4' }]);
    expect(fromEnv({ http_proxy: 'http://a:1', ALL_PROXY: 'socks5h://e:5' }, 'socks5-http')).toEqual([{ field: '--proxy env (ALL_PROXY)', url: 'socks5h://e:5' }]);
    expect(fromEnv({ http_proxy: 'http://a:1', HTTPS_PROXY: 'http://a:1', ALL_PROXY: 'socks5://e:5' }, 'proxy-mixed').map((i) => i.url).sort()).toEqual(['http://a:1', 'socks5://e:5']);
    // Without HTTPS_PROXY curl would send the https targets through ALL_PROXY, a SOCKS proxy.
    expect(() => fromEnv({ http_proxy: 'http://a:1', ALL_PROXY: 'socks5://e:5' }, 'proxy-mixed')).toThrow(/ALL_PROXY names a SOCKS proxy .* sends https targets through an HTTP proxy/);
  });

  it.each([
    [{ HTTP_PROXY: 'http://a:1' }, 'http-get', /none of http_proxy, all_proxy, ALL_PROXY is set \(HTTP_PROXY is set, but curl ignores/],
    [{ http_proxy: 'http://a:1' }, 'socks5-http', /needs a SOCKS5 proxy/],
    [{ http_proxy: 'socks5://a:1' }, 'http-get', /http_proxy names a SOCKS proxy/],
    [{ http_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:2' }, 'http-mixed', /curl would send http targets through http_proxy .* and https targets through HTTPS_PROXY/],
  ] as const)('refuses %j for %s in one line', (env, scenario, message) => {
    expect(() => fromEnv(env, scenario)).toThrow(UsageError);
    expect(() => fromEnv(env, scenario)).toThrow(message);
  });
});

describe('NO_PROXY against the run\u2019s targets', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'], ['*', '127.0.0.1'], ['localhost,127.0.0.0/8', '127.0.0.1'], ['.lab', 'targets.lab'], ['lab:8080', 'targets.lab'],
    ['::1', '[::1]'], ['fd00::/8', 'fd00::5'],
  ])('%s matches %s: refused naming the variable and the host', (value, host) => {
    expect(() => refuseNoProxyMatch({ NO_PROXY: value }, [host])).toThrow(new RegExp(`^NO_PROXY: '.*' matches ${host.replace(/[[\]]/g, '').replace(/\./g, '\\.')}, a target of this run`));
  });

  it.each([
    ['localhost', '127.0.0.1'], ['127.0.0.2', '127.0.0.1'], ['10.0.0.0/8', '127.0.0.1'], ['ab.lab', 'targets.lab'], ['', '127.0.0.1'],
  ])('%j does not match %s', (value, host) => {
    expect(() => refuseNoProxyMatch({ NO_PROXY: value }, [host])).not.toThrow();
  });

  it('reads no_proxy before NO_PROXY, as curl does', () => {
    expect(() => refuseNoProxyMatch({ no_proxy: 'example.com', NO_PROXY: '*' }, ['127.0.0.1'])).not.toThrow();
    expect(() => refuseNoProxyMatch({ no_proxy: '127.0.0.1' }, ['127.0.0.1'])).toThrow(/^no_proxy: /);
  });
});
