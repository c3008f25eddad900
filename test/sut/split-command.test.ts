import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { formatCommand, splitCommand } from '../../harness/sut/split-command.js';

describe('splitCommand', () => {
  it.each<[string, string[]]>([
    ['/usr/sbin/squid -N -f squid.conf', ['/usr/sbin/squid', '-N', '-f', 'squid.conf']],
    ['  squid \t -N\n', ['squid', '-N']],
    [`node -e "console.log('hi')"`, ['node', '-e', "console.log('hi')"]],
    [`echo 'a "b" c'`, ['echo', 'a "b" c']],
    [`echo "a \\"b\\" \\\\ \\$HOME \\x"`, ['echo', 'a "b" \\ $HOME \\x']],
    ['echo a\\ b c\\\\d', ['echo', 'a b', 'c\\d']],
    [`echo '' ""`, ['echo', '', '']],
    [`echo pre'mid'"post"`, ['echo', 'premidpost']],
    ['echo $HOME ~ *.conf #no-comment', ['echo', '$HOME', '~', '*.conf', '#no-comment']],
    ['echo a\\\nb', ['echo', 'ab']],
    [`echo "line\\\ncontinued"`, ['echo', 'linecontinued']],
    [`echo '|' "&" \\;`, ['echo', '|', '&', ';']],
  ])('splits %j into %j', (line, argv) => {
    expect(splitCommand(line)).toEqual(argv);
  });

  it.each([
    ['an unbalanced single quote', `echo 'abc`, /unbalanced single quote/],
    ['an unbalanced double quote', 'echo "abc', /unbalanced double quote/],
    ['a lone trailing backslash', 'echo abc\\', /lone backslash/],
    ['an empty line', '   ', /got nothing/],
    ['a pipe', 'squid | tee log', /without a shell, so '\|'/],
    ['a redirection', 'squid > log', /without a shell, so '>'/],
    ['a command separator', 'squid; rm x', /without a shell, so ';'/],
  ])('refuses %s with a usage error naming --sut', (_what, line, message) => {
    const err = (() => {
      try {
        splitCommand(line);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).field).toBe('--sut');
    expect((err as UsageError).message).toMatch(message);
  });

  it('splits every formatted argv back into the same argv', () => {
    const arg = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '\t', '\n', "'", '"', '\\', '$', '`', '|', ';', '#', '*', 'é', '-', '=') });
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 6 }), (argv) => {
        expect(splitCommand(formatCommand(argv))).toEqual(argv);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with /bin/sh on lines built from quotes, backslashes and words', () => {
    // Tokens that sh and splitCommand read alike (no operators, expansions or globs).
    const piece = fc.constantFrom('a', 'b c', '\\ ', '\\"', "'x y'", `"q \\" r"`, `"\\\\"`, `"\\a"`, "''", '""', ' ', '\t');
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }), (pieces) => {
        // END keeps printf from printing one empty field when the pieces make no argument.
        const line = `printf '%s\\0' ${pieces.join('')} END`;
        const sh = execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8' }).split('\0').slice(0, -1);
        expect(splitCommand(line).slice(2)).toEqual(sh);
      }),
      { numRuns: 60 },
    );
  });

  it('never throws anything but a UsageError, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (line) => {
        try {
          const argv = splitCommand(line);
          expect(argv.length).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
