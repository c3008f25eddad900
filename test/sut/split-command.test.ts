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
    // Parentheses mean nothing without a shell: argv splitting passes them as they are.
    ['node -e process.exit(3)', ['node', '-e', 'process.exit(3)']],
    ['(squid) f(x)', ['(squid)', 'f(x)']],
    // Substitutions quoted or escaped so that sh would not run them either.
    [`echo '$(id)' '\`id\`' \\$(x) "\\$(y) \\\`z\\\`" $HOME(`, ['echo', '$(id)', '`id`', '$(x)', '$(y) `z`', '$HOME(']],
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
    ['an and-list', 'squid -N && echo up', /without a shell, so '&'/],
    ['an or-list', 'squid -N || echo down', /without a shell, so '\|'/],
    ['a background operator', 'squid -N &', /without a shell, so '&'/],
    ['an input redirection', 'squid < conf', /without a shell, so '<'/],
    ['a command substitution', 'squid -f $(pwd)/squid.conf', /without a shell, so '\$\('/],
    ['a command substitution in double quotes', 'squid -f "$(pwd)/squid.conf"', /without a shell, so '\$\('/],
    ['backticks', 'squid -f `pwd`/squid.conf', /without a shell, so '`'/],
    ['backticks in double quotes', 'squid -f "`pwd`/squid.conf"', /without a shell, so '`'/],
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
