import { describe, expect, it } from 'vitest';
import { errors } from 'undici';
import { isConnectionClosedError, requestFailure, setupFailure, type SetupPhase } from '../../harness/transports/classify-error.js';
import type { ErrorCause } from '../../core/error-cause.js';
import { TransportFailure } from '../../harness/transports/transport-failure.js';

/** An error as Node's sockets raise them: a message and a `code`. */
function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code });
}

describe('an error while opening a connection', () => {
  it.each([
    ['EMFILE', 'tcp', 'harness_limit'],
    ['ENFILE', 'tcp', 'harness_limit'],
    ['EADDRNOTAVAIL', 'tcp', 'harness_limit'],
    ['ENOBUFS', 'proxy-handshake', 'harness_limit'],
    ['ECONNREFUSED', 'tcp', 'proxy_unreachable'],
    ['EHOSTUNREACH', 'tcp', 'proxy_unreachable'],
    ['ENOTFOUND', 'tcp', 'proxy_unreachable'],
    ['ECONNRESET', 'proxy-handshake', 'reset'],
    ['ECONNRESET', 'tls', 'reset'],
    ['EPIPE', 'tls', 'reset'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls', 'tls'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls', 'tls'],
  ] as const)('%s during %s is %s', (code, phase: SetupPhase, cause: ErrorCause) => {
    const failure = setupFailure(systemError(code), phase, 'proxy 127.0.0.1:9');
    expect(failure).toBeInstanceOf(TransportFailure);
    expect(failure.failureCause).toBe(cause);
    expect(failure.code).toBe('PB_ERR_TRANSPORT');
  });

  it('keeps a failure that is already classified', () => {
    const failure = new TransportFailure('proxy_auth', 'CONNECT answered 407');
    expect(setupFailure(failure, 'proxy-handshake', 'proxy')).toBe(failure);
  });
});

describe('an error that ends a dispatched request', () => {
  it.each([
    [new errors.HeadersTimeoutError(), 'timeout_ttfb'],
    [new errors.BodyTimeoutError(), 'timeout_idle'],
    [new errors.SocketError('other side closed'), 'reset'],
    [new errors.ResponseContentLengthMismatchError(), 'reset'],
    [new errors.ClientDestroyedError(), 'other'],
    [systemError('ECONNRESET'), 'reset'],
    [systemError('EMFILE'), 'harness_limit'],
    [Object.assign(new Error('Response does not match the HTTP/1.1 protocol'), { code: 'HPE_INVALID_CONSTANT' }), 'integrity'],
    [new TransportFailure('timeout_total', 'request not complete within 5 ms'), 'timeout_total'],
    [new Error('something else'), 'other'],
  ] as const)('%s is %s', (err, cause: ErrorCause) => {
    expect(requestFailure(err).cause).toBe(cause);
  });

  it.each([
    [new errors.SocketError('other side closed'), true],
    [systemError('ECONNRESET'), true],
    [systemError('EPIPE'), true],
    [new errors.HeadersTimeoutError(), false],
    [new TransportFailure('reset', 'closed during the proxy handshake'), false],
  ] as const)('%s counts as a closed connection: %s', (err, closed) => {
    expect(isConnectionClosedError(err)).toBe(closed);
  });
});
