import * as tls from 'node:tls';

/**
 * The trust a user's own https target is checked against (`--target-ca`): Node's default
 * certificate authorities with the user's PEM added, as one secure context made once per
 * transport, so a new connection does not parse some 150 certificates again.
 */
export function targetSecureContext(extraCaPem: string): tls.SecureContext {
  return tls.createSecureContext({ ca: [...defaultCaCertificates(), extraCaPem] });
}

/**
 * What Node trusts when given no `ca`: its bundled Mozilla store, and on runtimes that can list
 * it (`tls.getCACertificates`, Node ≥ 22.15) also NODE_EXTRA_CA_CERTS and the system's store
 * under `--use-system-ca`. Passing `ca` replaces the default, so the default is passed along.
 */
function defaultCaCertificates(): readonly string[] {
  const list = (tls as { getCACertificates?: (type: 'default') => string[] }).getCACertificates;
  return typeof list === 'function' ? list('default') : tls.rootCertificates;
}
