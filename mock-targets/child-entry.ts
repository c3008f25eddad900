/**
 * The child side of a child service (see child-service.ts): takes its config as the first IPC
 * message, starts, answers `{ type: 'ready', … }` or `{ type: 'error', message }`, and closes and
 * exits on SIGTERM or when the IPC channel disconnects (the parent died), so it never outlives the
 * harness.
 */

/** Something the child started and must close on the way out. */
export interface Closable {
  close(): Promise<void>;
}

/** What the child's start function gets. */
export interface ChildStartContext {
  /** Registers a started server; registered ones are closed on shutdown, even if start fails later. */
  own<T extends Closable>(server: T): T;
}

/** Longest a shutdown may take before the child exits anyway, ms. */
const SHUTDOWN_DEADLINE_MS = 1_000;

/**
 * Runs this process as a child service. `parse` validates the config (throwing a message naming the
 * field); `start` starts the servers and returns the ready payload.
 */
export function serveAsChild<Config, Ready extends object>(
  name: string,
  parse: (message: unknown) => Config,
  start: (config: Config, context: ChildStartContext) => Promise<Ready>,
): void {
  const owned: Closable[] = [];
  let shuttingDown = false;
  const reply = (message: object): Promise<void> =>
    new Promise((resolve) => {
      if (process.send === undefined || !process.connected) resolve();
      else process.send(message, () => resolve());
    });
  const shutdown = (code: number): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    // A connection that will not die must not keep the child alive after its parent asked it to go.
    setTimeout(() => process.exit(code), SHUTDOWN_DEADLINE_MS).unref();
    void Promise.allSettled(owned.map((server) => server.close())).then(() => process.exit(code));
  };
  const fail = (err: unknown): void => {
    void reply({ type: 'error', message: err instanceof Error ? err.message : String(err) }).then(() => shutdown(1));
  };
  if (process.send === undefined) {
    console.error(`${name}: start me with child_process.fork (I take my config over IPC)`);
    process.exit(2);
  }
  process.once('SIGTERM', () => shutdown(0));
  process.once('disconnect', () => shutdown(0));
  process.once('message', (message: unknown) => {
    let config: Config;
    try {
      config = parse(message);
    } catch (err) {
      fail(err);
      return;
    }
    const context: ChildStartContext = { own: (server) => (owned.push(server), server) };
    start(config, context).then(
      (ready) => (shuttingDown ? undefined : reply({ type: 'ready', ...ready })),
      fail,
    );
  });
}
