import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/** A port on 127.0.0.1 whose TCP connects hang. */
export interface UnacceptingListener {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Longest the listener's thread stays blocked, ms, in case a test never calls close(). */
const MAX_BLOCK_MS = 20_000;
/** Connections the kernel completes into a backlog-1 accept queue before dropping SYNs (Linux: backlog + 1). */
const QUEUED_CONNECTIONS = 2;

// The worker listens with a backlog of 1, reports its port and, in the same synchronous callback,
// blocks its own event loop in Atomics.wait, so it never accepts. Once the kernel's accept queue
// is full, further SYNs are dropped and a client's connect hangs, as towards a wedged proxy. The
// block ends on close() or after MAX_BLOCK_MS.
const WORKER_SOURCE = `
const { createServer } = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const server = createServer(() => {});
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  Atomics.wait(new Int32Array(workerData.release), 0, 0, workerData.maxBlockMs);
});
`;

/** Starts a listener that never accepts, its accept queue already full of connections of its own. */
export async function startUnacceptingListener(): Promise<UnacceptingListener> {
  const release = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { release: release.buffer, maxBlockMs: MAX_BLOCK_MS } });
  const [port] = (await once(worker, 'message')) as [number];
  const fillers: Socket[] = [];
  for (let i = 0; i < QUEUED_CONNECTIONS; i++) {
    const filler = connect({ host: '127.0.0.1', port });
    fillers.push(filler);
    await once(filler, 'connect');
  }
  return {
    host: '127.0.0.1',
    port,
    close: async () => {
      for (const filler of fillers) filler.destroy();
      Atomics.store(release, 0, 1);
      Atomics.notify(release, 0);
      await worker.terminate();
    },
  };
}
