import { proxiesOf, type ProxySet } from '../../core/proxy-set.js';
import { redactProxyUrl } from '../../core/proxy-url.js';
import { formatCommand, splitCommand } from '../sut/split-command.js';
import type { SutOptions } from './run-options.js';

/**
 * Where a run's secrets come from (a RunConfig is one): the proxies' passwords, the values of
 * password options on the SUT's command line (also inside an `sh -c '…'` script), and the values
 * of `--sut-env` variables whose names say they are secret. None of them may appear in any output:
 * report, console, Markdown, HTML, JUnit or error message.
 */
export interface SecretSources {
  readonly proxies: ProxySet;
  readonly sut?: SutOptions;
}

/** A long option that takes a secret: `--password`, `--proxy-pass`, `-secret`, `--token` … */
const SECRET_OPTION = /^--?(?:[\w-]*-)?(?:pass|passwd|password|secret|token)$/i;
/** The same with its value attached: `--password=…`. */
const SECRET_OPTION_WITH_VALUE = /^(--?(?:[\w-]*-)?(?:pass|passwd|password|secret|token))=/i;
/** Short options that take a password on proxies' command lines; case matters (`-p` is a port or a pid file). */
const SECRET_SHORT_OPTIONS = new Set(['-P']);

/**
 * `text` (an error, a process's output) with URL passwords and every secret of the run
 * ({@link secretsOf}) replaced by `***`, as written, URL-encoded and shell-quoted: the promise is that
 * passwords never appear in reports, logs or errors.
 */
export function redactPasswords(text: string, sources: SecretSources): string {
  const forms = secretsOf(sources)
    .flatMap((secret) => [secret, encodeURIComponent(secret), formatCommand([secret])])
    // Longest first, so the quoted form goes whole rather than leaving its quotes around `***`.
    .sort((a, b) => b.length - a.length);
  return forms.reduce((out, form) => out.replaceAll(form, '***'), redactProxyUrl(text));
}

/** An environment variable whose value is a secret by its name (`PROXY_PASS`, `API_TOKEN`, …). */
const SECRET_ENV_NAME = /pass|secret|token|key|auth|cred/i;

/**
 * The value after a password option anywhere in a command text, quoted or not: the scan does not
 * split argv, so it also finds `-P hunter2` inside `sh -c '… -P hunter2 & …'`, which argv splitting
 * keeps as one argument (and which holds shell operators splitCommand refuses).
 */
const SECRET_OPTION_IN_TEXT = /(?:^|[\s'"])(?:-P|--?(?:[\w-]*-)?(?:pass|passwd|password|secret|token))(?:=|\s+)(?:'([^']*)'|"([^"]*)"|([^\s'"&;|<>]+))/gi;

/** The literal secrets of a run, each once. */
export function secretsOf(sources: SecretSources): string[] {
  const secrets = new Set<string>();
  for (const proxy of proxiesOf(sources.proxies)) if (proxy.auth?.password) secrets.add(proxy.auth.password);
  const sut = sources.sut;
  if (sut?.kind === 'spawn') {
    for (const match of sut.command.matchAll(SECRET_OPTION_IN_TEXT)) {
      const value = match[1] ?? match[2] ?? match[3];
      if (value && value !== '***') secrets.add(value);
    }
    for (const [name, value] of Object.entries(sut.env ?? {})) if (SECRET_ENV_NAME.test(name) && value !== '') secrets.add(value);
  }
  return [...secrets];
}

/**
 * A SUT's command line as a report or an error shows it: the value of every password option
 * (`microsocks -P secret`, `--password=secret`) is `***`, and so is any password of the run's
 * proxies. The option values matter on their own: a run that tests *wrong* credentials does not
 * know the proxy's real password, yet the proxy's command line holds it.
 */
export function redactCommand(command: string, sources: SecretSources): string {
  return redactPasswords(redactSecretOptions(command), sources);
}

/** The command with password option values replaced; unchanged (spelling and all) when it has none. */
function redactSecretOptions(command: string): string {
  let argv: string[];
  try {
    argv = splitCommand(command);
  } catch {
    return command; // not a command line splitCommand reads; the literal redaction still applies
  }
  let valueIsSecret = false;
  let changed = false;
  const redacted = argv.map((arg) => {
    if (valueIsSecret) {
      valueIsSecret = false;
      changed = true;
      return '***';
    }
    valueIsSecret = SECRET_SHORT_OPTIONS.has(arg) || SECRET_OPTION.test(arg);
    const withValue = SECRET_OPTION_WITH_VALUE.exec(arg);
    if (!withValue) return arg;
    changed = true;
    return `${withValue[1]}=***`;
  });
  return changed ? formatCommand(redacted) : command;
}
