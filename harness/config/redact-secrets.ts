import { redactProxyUrl, type ProxyEndpoint } from '../../core/proxy-url.js';
import { formatCommand, splitCommand } from '../sut/split-command.js';

/** The proxies of a run, whose passwords must never be shown (a RunConfig is one). */
export interface ProxiesWithSecrets {
  readonly httpProxy?: ProxyEndpoint;
  readonly socksProxy?: ProxyEndpoint;
}

/** A long option that takes a secret: `--password`, `--proxy-pass`, `-secret`, `--token` … */
const SECRET_OPTION = /^--?(?:[\w-]*-)?(?:pass|passwd|password|secret|token)$/i;
/** The same with its value attached: `--password=…`. */
const SECRET_OPTION_WITH_VALUE = /^(--?(?:[\w-]*-)?(?:pass|passwd|password|secret|token))=/i;
/** Short options that take a password on proxies' command lines; case matters (`-p` is a port or a pid file). */
const SECRET_SHORT_OPTIONS = new Set(['-P']);

/**
 * `text` (an error, a process's output) with URL passwords and every password of the run's proxies
 * replaced by `***`, as written, URL-encoded and shell-quoted: the promise is that
 * passwords never appear in reports, logs or errors.
 */
export function redactPasswords(text: string, proxies: ProxiesWithSecrets): string {
  const forms = [proxies.httpProxy, proxies.socksProxy]
    .flatMap((p) => (p?.auth?.password ? [p.auth.password, encodeURIComponent(p.auth.password), formatCommand([p.auth.password])] : []))
    // Longest first, so the quoted form goes whole rather than leaving its quotes around `***`.
    .sort((a, b) => b.length - a.length);
  return forms.reduce((out, form) => out.replaceAll(form, '***'), redactProxyUrl(text));
}

/**
 * A SUT's command line as a report or an error shows it: the value of every password option
 * (`microsocks -P secret`, `--password=secret`) is `***`, and so is any password of the run's
 * proxies. The option values matter on their own: a run that tests *wrong* credentials does not
 * know the proxy's real password, yet the proxy's command line holds it.
 */
export function redactCommand(command: string, proxies: ProxiesWithSecrets): string {
  return redactPasswords(redactSecretOptions(command), proxies);
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
