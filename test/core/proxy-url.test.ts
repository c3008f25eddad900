import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatProxyEndpoint, parseProxyUrl, redactProxyUrl } from '../../core/proxy-url.js';
import { UsageError } from '../../core/errors.js';

describe('curl-style proxy URLs', () => {
  it.each([
    ['http://127.0.0.1:3128', { kind: 'http', host: '127.0.0.1', port: 3128 }],
    ['127.0.0.1:3128', { kind: 'http', host: '127.0.0.1', port: 3128 }],
    ['http://127.0.0.1', { kind: 'http', host: '127.0.0.1', port: 1080 }],
    ['http://user:p%40ss@127.0.0.1:8080', { kind: 'http', host: '127.0.0.1', port: 8080, auth: { username: 'user', password: 'p@ss' } }],
    ['socks5://127.0.0.1:1080', { kind: 'socks5', host: '127.0.0.1', port: 1080, resolveAtProxy: false }],
    ['socks5h://u:p@localhost:9050', { kind: 'socks5', host: 'localhost', port: 9050, resolveAtProxy: true, auth: { username: 'u', password: 'p' } }],
    ['socks5://[::1]:1080', { kind: 'socks5', host: '::1', port: 1080, resolveAtProxy: false }],
    // As curl reads it: the user info ends at the authority's last '@'.
    ['http://u:p@ss@127.0.0.1:3128', { kind: 'http', host: '127.0.0.1', port: 3128, auth: { username: 'u', password: 'p@ss' } }],
  ])('parses %s', (input, expected) => {
    expect(parseProxyUrl('--proxy', input)).toEqual(expected);
  });

  it.each([
    ['socks4://127.0.0.1:1080', /socks4.*not supported/],
    ['https://127.0.0.1:443', /https.*not supported/],
    ['http://127.0.0.1:3128/path', /no path/],
    ['http://:99999', /--proxy/],
    ['http://u%zz:pw@127.0.0.1:1', /user name has a malformed %-escape/],
    ['http://u:p%zz@127.0.0.1:1', /password has a malformed %-escape/],
  ])('rejects %s with a usage error naming --proxy', (input, message) => {
    expect(() => parseProxyUrl('--proxy', input)).toThrow(UsageError);
    expect(() => parseProxyUrl('--proxy', input)).toThrow(message);
  });

  it('never puts the password in an error', () => {
    try {
      parseProxyUrl('--proxy', 'ftp://alice:hunter2@127.0.0.1:21');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('formats endpoints with the password replaced', () => {
    expect(formatProxyEndpoint(parseProxyUrl('x', 'socks5h://bob:secret@127.0.0.1:1080'))).toBe('socks5h://bob:***@127.0.0.1:1080');
    expect(redactProxyUrl('see http://a:b@h:1 and socks5://c:d@e:2')).toBe('see http://a:***@h:1 and socks5://c:***@e:2');
  });

  it('parses what it formats, for any credentials and port (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('http', 'socks5', 'socks5h'),
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.string({ maxLength: 12 }),
        fc.integer({ min: 1, max: 65535 }),
        (scheme, user, pass, port) => {
          const url = `${scheme}://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}`;
          const parsed = parseProxyUrl('--proxy', url);
          expect(parsed.port).toBe(port);
          expect(parsed.auth).toEqual({ username: user, password: pass });
          if (pass.length >= 4) expect(formatProxyEndpoint(parsed)).not.toContain(encodeURIComponent(pass) + '@');
        },
      ),
    );
  });

  it('throws only usage errors on arbitrary input (fuzz)', () => {
    // Biased toward the characters a URL's user info is made of, '%' escapes included.
    const urlish = fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^(http|socks5h?):\/\/[a-z%@:0-9]{0,20}@127\.0\.0\.1:[0-9]{1,5}$/));
    fc.assert(
      fc.property(urlish, (input) => {
        try {
          parseProxyUrl('--proxy', input);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }),
    );
  });
});
