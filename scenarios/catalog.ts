import { connectTcp } from './connect-tcp.js';
import { connectionChurn } from './connection-churn.js';
import { directGet } from './direct-get.js';
import { httpGet } from './http-get.js';
import { httpMixed } from './http-mixed.js';
import { httpsConnect } from './https-connect.js';
import { largeBody } from './large-body.js';
import { manyConnections } from './many-connections.js';
import { proxyMixed } from './proxy-mixed.js';
import type { Scenario } from '../core/scenario.js';
import { socks5Http } from './socks5-http.js';
import { socks5Tcp } from './socks5-tcp.js';
import { socks5Udp } from './socks5-udp.js';
import { webSocket } from './websocket.js';
import { webSocketMany } from './websocket-many.js';

/** The built-in scenarios, in the order `proxybench scenarios` lists them. */
export const BUILT_IN_SCENARIOS: readonly Scenario[] = [
  httpMixed, httpGet, httpsConnect, socks5Http, proxyMixed, directGet, connectionChurn, manyConnections,
  webSocket, webSocketMany, connectTcp, socks5Tcp, socks5Udp, largeBody,
];

/** The built-in scenario called `name`, or undefined. */
export function builtInScenario(name: string): Scenario | undefined {
  return BUILT_IN_SCENARIOS.find((s) => s.name === name);
}
