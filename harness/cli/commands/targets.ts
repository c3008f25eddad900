import { once } from 'node:events';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../../core/errors.js';
import { parsePositiveInt } from '../../../core/units.js';
import { serveTargets } from '../../run/serve-targets.js';

/** The flags of `proxybench targets`. */
export interface TargetsFlags {
  host: string;
  advertise?: string;
  'http-port'?: string;
  'https-port'?: string;
  'tcp-echo-port'?: string;
  'tcp-stream-port'?: string;
  'ws-port'?: string;
  'wss-port'?: string;
  'udp-echo-port'?: string;
}

const PORT_FLAGS = {
  http: 'http-port',
  https: 'https-port',
  tcpEcho: 'tcp-echo-port',
  tcpSourceSink: 'tcp-stream-port',
  webSocketEcho: 'ws-port',
  webSocketEchoTls: 'wss-port',
  udpEcho: 'udp-echo-port',
} as const;

/**
 * `proxybench targets`: the mock targets as a standalone service, for shards that share them and
 * for a proxy in a container or on another host. Prints ONE JSON line on stdout — a URL per target
 * and the test CA, what `run --targets` reads — then serves until SIGINT or SIGTERM and exits 0.
 */
export const targetsCommand: CommandModule<object, TargetsFlags> = {
  command: 'targets',
  describe: 'Serve the mock targets standalone and print their URLs as one JSON line (for run --targets)',
  builder: (y: Argv) => {
    const port = { type: 'string' as const, requiresArg: true };
    return y
      .option('host', { type: 'string', requiresArg: true, default: '127.0.0.1', describe: 'Address to listen on (0.0.0.0: every interface — these are test servers, expose them only to the proxy under test)' })
      .option('advertise', { type: 'string', requiresArg: true, describe: 'Name or address the proxy should use, written into the URLs (a Service name, host.docker.internal). Default: --host (127.0.0.1 for 0.0.0.0)' })
      .option('http-port', { ...port, describe: 'Fixed port of the HTTP origin. Default: any free port' })
      .option('https-port', { ...port, describe: 'Fixed port of the HTTPS origin. Default: any free port' })
      .option('tcp-echo-port', { ...port, describe: 'Fixed port of the TCP echo. Default: any free port' })
      .option('tcp-stream-port', { ...port, describe: 'Fixed port of the TCP source/sink. Default: any free port' })
      .option('ws-port', { ...port, describe: 'Fixed port of the WebSocket echo. Default: any free port' })
      .option('wss-port', { ...port, describe: 'Fixed port of the WebSocket echo over TLS. Default: any free port' })
      .option('udp-echo-port', { ...port, describe: 'Fixed port of the UDP echo. Default: any free port' })
      .example('$0 targets --host 0.0.0.0 --advertise proxybench-targets --http-port 8080', 'for a Kubernetes Service') as unknown as Argv<TargetsFlags>;
  },
  handler: async (flags) => {
    const ports = Object.fromEntries(Object.entries(PORT_FLAGS).flatMap(([target, flag]) => {
      const value = flags[flag];
      if (value === undefined) return [];
      const port = parsePositiveInt(`--${flag}`, value);
      if (port > 65_535) throw new UsageError(`--${flag}`, `expects a port from 1 to 65535 (got ${value})`);
      return [[target, port]];
    }));
    if (flags.host === '0.0.0.0' || flags.host === '::') {
      process.stderr.write('proxybench targets: listening on every interface; these are test servers — expose them only to the proxy under test\n');
    }
    const served = await serveTargets({ host: flags.host, ...(flags.advertise ? { advertise: flags.advertise } : {}), ports });
    process.stdout.write(`${JSON.stringify(served.description)}\n`);
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const ended = await Promise.race([once(stop.signal, 'abort').then(() => 'signal' as const), served.exited.then(() => 'exited' as const)]);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await served.stop();
    if (ended === 'exited') throw new Error('the mock targets exited unexpectedly');
  },
};
