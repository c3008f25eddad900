import { UsageError } from '../../core/errors.js';

/**
 * `--sut "<command line>"` is split into argv here and run without a shell (issue #5), so a command
 * means the same on every platform and nothing in it is expanded behind the user's back. Quotes
 * and backslashes work as POSIX sh reads them (XCU 2.2): '…' keeps everything literally, "…" keeps
 * everything but `\"`, `\\`, `\$`, `` \` `` and backslash-newline, an unquoted backslash quotes the
 * next character. There is no globbing, no `$VAR`, no `~` and no comments: those stay literal.
 * node_modules holds no argv-splitting library, hence this small tokenizer (fuzzed in its test).
 */

const FIELD = '--sut';
const BLANKS = new Set([' ', '\t', '\n']);
/**
 * sh control and redirection operators (`|`, `||`, `&`, `&&`, `;`, `<`, `>`) and command
 * substitution (`` ` ``, `$(`): without a shell they would silently become arguments, or a command
 * meant to run would be passed as text. Parentheses alone are not refused: argv splitting makes
 * `node -e process.exit(3)` mean what it says.
 */
const OPERATORS = new Set(['|', '&', ';', '<', '>']);
/** Characters a backslash escapes inside double quotes (XCU 2.2.3); before others it stays. */
const DQUOTE_ESCAPABLE = new Set(['"', '\\', '$', '`']);

interface Token {
  readonly word: string;
  /** True once a quote opened the word, so `''` is an empty argument rather than nothing. */
  readonly started: boolean;
}

/** Reads a '…' span starting after the opening quote; returns the text and the index after `'`. */
function readSingleQuoted(text: string, from: number): [string, number] {
  const close = text.indexOf("'", from);
  if (close < 0) throw new UsageError(FIELD, `has an unbalanced single quote (at character ${from})`);
  return [text.slice(from, close), close + 1];
}

/** The command substitution (`` ` `` or `$(`) starting at `i`, if any: sh runs it, even inside "…". */
function substitutionAt(text: string, i: number): string | undefined {
  if (text[i] === '`') return '`';
  return text.startsWith('$(', i) ? '$(' : undefined;
}

/** Throws the usage error for a shell operator or substitution found in the command line. */
function refuseOperator(operator: string): never {
  throw new UsageError(FIELD, `runs without a shell, so '${operator}' has no meaning there; put it in single quotes to pass it as an argument, or wrap the command in sh -c '…'`);
}

/** Reads a "…" span starting after the opening quote; returns the text and the index after `"`. */
function readDoubleQuoted(text: string, from: number): [string, number] {
  let out = '';
  for (let i = from; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') return [out, i + 1];
    const substitution = substitutionAt(text, i);
    if (substitution) refuseOperator(substitution);
    if (c === '\\' && i + 1 < text.length) {
      const next = text[i + 1] as string;
      if (next === '\n') { i++; continue; }
      if (DQUOTE_ESCAPABLE.has(next)) { out += next; i++; continue; }
    }
    out += c;
  }
  throw new UsageError(FIELD, `has an unbalanced double quote (at character ${from})`);
}

/** Splits a command line into argv as POSIX sh would, without any expansion. */
export function splitCommand(commandLine: string): string[] {
  const argv: string[] = [];
  let token: Token = { word: '', started: false };
  const flush = (): void => {
    if (token.started) argv.push(token.word);
    token = { word: '', started: false };
  };
  let i = 0;
  while (i < commandLine.length) {
    const c = commandLine[i] as string;
    if (BLANKS.has(c)) { flush(); i++; continue; }
    if (c === "'" || c === '"') {
      const [text, next] = c === "'" ? readSingleQuoted(commandLine, i + 1) : readDoubleQuoted(commandLine, i + 1);
      token = { word: token.word + text, started: true };
      i = next;
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= commandLine.length) throw new UsageError(FIELD, 'ends with a lone backslash');
      const next = commandLine[i + 1] as string;
      // Backslash-newline is a line continuation: it vanishes (XCU 2.2.1).
      token = next === '\n' ? token : { word: token.word + next, started: true };
      i += 2;
      continue;
    }
    const operator = OPERATORS.has(c) ? c : substitutionAt(commandLine, i);
    if (operator) refuseOperator(operator);
    token = { word: token.word + c, started: true };
    i++;
  }
  flush();
  if (argv.length === 0) throw new UsageError(FIELD, 'expects a command line such as "/usr/sbin/squid -N -f squid.conf" (got nothing)');
  return argv;
}

/** Safe characters: an argument made only of these needs no quotes. */
const PLAIN_ARG = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Formats argv back into one command line that {@link splitCommand} splits into the same argv
 * (single quotes, `'\''` for a quote inside), for showing an attached process's command line.
 */
export function formatCommand(argv: readonly string[]): string {
  return argv.map((arg) => (PLAIN_ARG.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)).join(' ');
}
