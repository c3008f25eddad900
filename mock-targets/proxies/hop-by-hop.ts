import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * Fields that describe one connection, not the message, so a proxy must not forward them
 * (RFC 9110 §7.6.1; Proxy-Connection and Keep-Alive are the pre-standard ones still sent).
 * Proxy-Authorization is consumed by this proxy (RFC 9110 §11.7.2) and Proxy-Authenticate belongs
 * to the hop that sent it.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The proxy's entry in the Via chain (RFC 9110 §7.6.3 asks every proxy to add one). */
const VIA_ENTRY = '1.1 proxybench';

/**
 * A message's headers as the next hop should receive them: hop-by-hop fields removed, along with
 * any field the Connection header names, and this proxy appended to Via.
 */
export function forwardableHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listed = connectionOptions(headers.connection);
  const forwarded: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || listed?.has(name)) continue;
    forwarded[name] = value;
  }
  forwarded.via = headers.via === undefined ? VIA_ENTRY : `${headers.via}, ${VIA_ENTRY}`;
  return forwarded;
}

/** Field names listed in Connection (lower case), or undefined for the common case of none. */
function connectionOptions(connection: string | undefined): Set<string> | undefined {
  if (connection === undefined) return undefined;
  const names = connection.split(',').map((name) => name.trim().toLowerCase());
  // `close` and `keep-alive` are the usual values and name no other field.
  const fields = names.filter((name) => name !== '' && name !== 'close' && name !== 'keep-alive');
  return fields.length === 0 ? undefined : new Set(fields);
}
