import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SetupError } from '../../core/errors.js';
import { BodyVerifier, bodyBlocks } from '../../core/origin-wire/deterministic-body.js';
import { startTcpEcho } from '../../mock-targets/origins/tcp-echo.js';

const MiB = 1024 * 1024;

describe('TCP echo', () => {
  it('echoes 1 MiB back exactly, then closes after the client does', async () => {
    const echo = await startTcpEcho();
    try {
      const socket = connect(echo.port, echo.host);
      await once(socket, 'connect');
      const verifier = new BodyVerifier(11, MiB);
      const echoed = (async () => {
        for await (const chunk of socket) verifier.update(chunk as Buffer);
      })();
      for (const block of bodyBlocks(11, MiB)) {
        if (!socket.write(block)) await once(socket, 'drain');
      }
      socket.end();
      await echoed;
      expect(verifier.received).toBe(MiB);
      expect(verifier.finish()).toBe('ok');
    } finally {
      await echo.close();
    }
  });

  it('closes with a connection still open', async () => {
    const echo = await startTcpEcho();
    const socket = connect(echo.port, echo.host);
    await once(socket, 'connect');
    socket.write('ping');
    const [first] = (await once(socket, 'data')) as [Buffer];
    expect(first.toString()).toBe('ping');
    const closed = once(socket, 'close');
    await expect(echo.close()).resolves.toBeUndefined();
    await closed;
    expect(socket.destroyed).toBe(true);
  });

  it('rejects with SetupError when its port is taken', async () => {
    const first = await startTcpEcho();
    try {
      const error = await startTcpEcho({ port: first.port }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(SetupError);
    } finally {
      await first.close();
    }
  });
});
