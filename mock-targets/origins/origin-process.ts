import { serveAsChild } from '../child-entry.js';
import { startOrigin } from './http-origin.js';
import { startTcpEcho } from './tcp-echo.js';
import { startTcpSourceSink } from './tcp-source-sink.js';
import { startUdpEcho } from './udp-echo.js';
import { startWebSocketEcho } from './websocket-echo.js';
import type { OriginProcessConfig, OriginProcessReply } from './origin-process-messages.js';

/**
 * Child-process entry of the mock targets (forked by origin-launcher.ts, run from dist/). The
 * origins live apart from the harness so that the harness's CPU figure is the load generator's
 * alone — on a 2-core machine, an origin in the harness's process would be billed as harness cost.
 * Protocol: the first IPC message is {@link OriginProcessConfig}; the child answers
 * {@link OriginProcessReply} (child-entry.ts does the IPC and the shutdown).
 */

serveAsChild<OriginProcessConfig, Omit<Extract<OriginProcessReply, { type: 'ready' }>, 'type'>>(
  'origin-process',
  (message) => {
    const config = message as Partial<OriginProcessConfig> | null;
    return {
      http: config?.http === true,
      https: config?.https === true,
      tcpEcho: config?.tcpEcho === true,
      tcpSourceSink: config?.tcpSourceSink === true,
      webSocketEcho: config?.webSocketEcho === true,
      webSocketEchoTls: config?.webSocketEchoTls === true,
      udpEcho: config?.udpEcho === true,
      host: typeof config?.host === 'string' ? config.host : '127.0.0.1',
      ports: typeof config?.ports === 'object' && config.ports !== null ? config.ports : {},
    };
  },
  async (config, { own }) => {
    // One after the other, so that if one fails those already started are owned and closed.
    const host = config.host ?? '127.0.0.1';
    const ports = config.ports ?? {};
    const at = (port: number | undefined): { host: string; port: number } => ({ host, port: port ?? 0 });
    const http = config.http ? own(await startOrigin({ tls: false, ...at(ports.http) })) : undefined;
    const https = config.https ? own(await startOrigin({ tls: true, ...at(ports.https) })) : undefined;
    const echo = config.tcpEcho ? own(await startTcpEcho(at(ports.tcpEcho))) : undefined;
    const sourceSink = config.tcpSourceSink ? own(await startTcpSourceSink(at(ports.tcpSourceSink))) : undefined;
    const ws = config.webSocketEcho ? own(await startWebSocketEcho({ tls: false, ...at(ports.webSocketEcho) })) : undefined;
    const wss = config.webSocketEchoTls ? own(await startWebSocketEcho({ tls: true, ...at(ports.webSocketEchoTls) })) : undefined;
    const udp = config.udpEcho ? own(await startUdpEcho(at(ports.udpEcho))) : undefined;
    const caPem = https?.caPem ?? wss?.caPem;
    return {
      ...(http ? { httpPort: http.address.port } : {}),
      ...(https ? { httpsPort: https.address.port } : {}),
      ...(echo ? { tcpEchoPort: echo.port } : {}),
      ...(sourceSink ? { tcpSourceSinkPort: sourceSink.port } : {}),
      ...(ws ? { webSocketEchoPort: ws.port } : {}),
      ...(wss ? { webSocketEchoTlsPort: wss.port } : {}),
      ...(udp ? { udpEchoPort: udp.port } : {}),
      ...(caPem ? { caPem } : {}),
    };
  },
);
