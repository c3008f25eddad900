import type { Protocol, RequestMixEntry, RequestOperation } from './scenario.js';
import { redactUserInfo, userTargetKinds, type BodyVerification, type UserTarget } from './user-target.js';

/**
 * Which kind of proxy carries a run's own targets: an HTTP proxy (http:// targets as absolute-form
 * forward requests, https:// ones through CONNECT), or a SOCKS5 proxy (both through SOCKS5).
 */
export type TargetRoute = 'http' | 'socks5';

/** The protocol one target goes through on `route`. */
function protocolFor(url: string, route: TargetRoute): Protocol {
  if (route === 'socks5') return 'socks5';
  return url.startsWith('https:') ? 'connect' : 'http-forward';
}

/**
 * The mix of a run driven toward the user's own targets: one `get-target` kind per target, in
 * order, of equal weight, named by {@link userTargetKinds}.
 */
export function targetMix(targets: readonly UserTarget[], route: TargetRoute): RequestMixEntry[] {
  const kinds = userTargetKinds(targets);
  return targets.map((target, i) => ({
    kind: kinds[i]!,
    weight: 1,
    protocol: protocolFor(target.url, route),
    origin: target.url.startsWith('https:') ? 'https' : 'http',
    operation: { op: 'get-target', url: target.url, ...(target.sha256Hex !== undefined ? { sha256Hex: target.sha256Hex } : {}) },
  }));
}

/** How the bodies of an operation are verified: the report's `byKind[kind].verification`. */
export function verificationOf(operation: RequestOperation): BodyVerification {
  if (operation.op !== 'get-target') return 'bytes';
  return operation.sha256Hex !== undefined ? 'sha256' : 'length';
}

/** A mix entry as the report shows it: a target's URL with its user info as `***`. */
export function redactedMixEntry(entry: RequestMixEntry): RequestMixEntry {
  const op = entry.operation;
  return op.op === 'get-target' ? { ...entry, operation: { ...op, url: redactUserInfo(op.url) } } : entry;
}
