import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactProxyUrl } from '../../core/proxy-url.js';
import { NO_PROXIES as NO_PROXY_SET, proxySetOf } from '../../core/proxy-set.js';
import { redactCommand, redactPasswords, secretsOf, type SecretSources } from '../../harness/config/redact-secrets.js';
import { formatCommand, splitCommand } from '../../harness/sut/split-command.js';

const socksWith = (password: string): SecretSources => ({
  proxies: proxySetOf([{ kind: 'socks5', host: '127.0.0.1', port: 1080, resolveAtProxy: false, auth: { username: 'u', password } }]),
});
const NO_PROXIES: SecretSources = { proxies: NO_PROXY_SET };
const sutCommand = (command: string, env?: Record<string, string>): SecretSources => ({ proxies: NO_PROXY_SET, sut: { kind: 'spawn', command, ...(env ? { env } : {}) } });

describe('redactCommand', () => {
  it.each([
    ['microsocks -i 127.0.0.1 -p 1080 -u pb -P hunter2', "microsocks -i 127.0.0.1 -p 1080 -u pb -P '***'", NO_PROXIES],
    ['tool --password hunter2 --proxy-pass=hunter3 --token=t0k', "tool --password '***' '--proxy-pass=***' '--token=***'", NO_PROXIES],
    // -p is a port (microsocks) or a pid file (danted), not a password: case matters.
    ['danted -f /tmp/d.conf -p /tmp/d.pid', 'danted -f /tmp/d.conf -p /tmp/d.pid', NO_PROXIES],
    // Nothing secret: the command keeps its own spelling.
    ["squid -N -f '/tmp/my dir/squid.conf'", "squid -N -f '/tmp/my dir/squid.conf'", NO_PROXIES],
    // The run's own password, wherever it appears, raw or shell-quoted.
    ["sh -c 'microsocks -P s3cr3t & exec danted'", "sh -c 'microsocks -P *** & exec danted'", socksWith('s3cr3t')],
    ["proxy --auth 'u:pw x'", "proxy --auth 'u:***'", socksWith('pw x')],
    ["proxy --key 'pw x' -v", 'proxy --key *** -v', socksWith('pw x')],
    ['relay http://u:pw@127.0.0.1:3128', 'relay http://u:***@127.0.0.1:3128', NO_PROXIES],
  ])('shows %s as %s', (command, shown, proxies) => {
    expect(redactCommand(command, proxies)).toBe(shown);
  });

  it('replaces the value after -P with *** for any password, leaving every other argument as it was', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), fc.array(fc.constantFrom('-u', 'x', '-p', '1080', 'a b'), { maxLength: 4 }), (password, rest) => {
        const shown = redactCommand(formatCommand(['microsocks', ...rest, '-P', password, '-b', '127.0.0.1']), NO_PROXIES);
        expect(splitCommand(shown)).toEqual(['microsocks', ...rest, '-P', '***', '-b', '127.0.0.1']);
      }),
    );
  });
});

describe('redactPasswords', () => {
  it('leaves no occurrence of a proxy password (without *) in any text around it, raw or URL-encoded', () => {
    const password = fc.string({ minLength: 1, maxLength: 12 }).filter((p) => !p.includes('*'));
    fc.assert(
      fc.property(password, fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), fc.boolean(), (secret, before, after, encoded) => {
        const text = `${before}${encoded ? encodeURIComponent(secret) : secret}${after}`;
        const shown = redactPasswords(text, socksWith(secret));
        expect(shown).not.toContain(encoded ? encodeURIComponent(secret) : secret);
      }),
    );
  });

  it('leaves text alone when the run has no password', () => {
    expect(redactPasswords('danted: listening on 127.0.0.1.1080', NO_PROXIES)).toBe('danted: listening on 127.0.0.1.1080');
  });
});

describe('the secrets of a run', () => {
  it('include a password inside an sh -c script, even when it differs from the --proxy password', () => {
    const command = "sh -c 'microsocks -u pb -P hunter2 & exec danted -f /tmp/d.conf'";
    const sources = { ...sutCommand(command), ...socksWith('other') };
    expect(secretsOf(sources).sort()).toEqual(['hunter2', 'other']);
    expect(redactCommand(command, sources)).not.toContain('hunter2');
    // The proxy's own output quoting its password is redacted too.
    expect(redactPasswords('microsocks: auth user pb pass hunter2 enabled', sources)).toBe('microsocks: auth user pb pass *** enabled');
  });

  it.each([
    ['--password=s3cret', 's3cret'],
    ["--proxy-pass 'two words'", 'two words'],
    ['-P "dq"', 'dq'],
  ])('finds the value of %s in the SUT command', (option, secret) => {
    expect(secretsOf(sutCommand(`proxy ${option} -v`))).toEqual([secret]);
  });

  it('include --sut-env values whose names say they are secret, and only those', () => {
    const sources = sutCommand('proxy', { PROXY_PASSWORD: 'envpw', API_TOKEN: 'tok123', PORT: '3128' });
    expect(secretsOf(sources).sort()).toEqual(['envpw', 'tok123']);
    expect(redactPasswords('listening on 3128 with envpw and tok123', sources)).toBe('listening on 3128 with *** and ***');
  });
});

describe('redactProxyUrl', () => {
  it.each([
    ['http://u:p@ss@127.0.0.1:3128', 'http://u:***@127.0.0.1:3128'],
    ['socks5://u:a@b@c@127.0.0.1:1080 and http://x:y@h:1', 'socks5://u:***@127.0.0.1:1080 and http://x:***@h:1'],
    ['http://127.0.0.1:3128', 'http://127.0.0.1:3128'],
  ])('shows %s as %s (curl takes the last @ of the authority)', (url, shown) => {
    expect(redactProxyUrl(url)).toBe(shown);
  });
});

