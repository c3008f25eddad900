import type { Duplex } from 'node:stream';
import { streamChunks } from './stream-contract.js';

/**
 * Writes stream bytes [0, `bytes`) of `seed` to `socket`, waiting for 'drain' whenever its buffer is
 * full, so at most the socket's high-water mark plus one 64 KiB block is held whatever `bytes` is:
 * the one sender of the stream contract, for the client's up stream and the source/sink's down
 * stream alike. `onWritten` hears every chunk handed to the socket (its length in bytes). It stops
 * early, without rejecting, once the socket is destroyed or no longer writable (whoever ended it
 * says why), and then resolves false; true once every chunk was handed over.
 */
export async function writeStream(socket: Duplex, seed: number, bytes: number, onWritten: (chunkBytes: number) => void): Promise<boolean> {
  for (const chunk of streamChunks(seed, 0, bytes)) {
    if (socket.destroyed || !socket.writable) return false;
    const more = socket.write(chunk);
    onWritten(chunk.length);
    if (!more) await drainedOrClosed(socket);
  }
  return true;
}

/** Resolves on 'drain', or on 'close' (a socket that closed will never drain). */
function drainedOrClosed(socket: Duplex): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}
