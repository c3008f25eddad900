/**
 * The transports' public surface: the only file other rooms import from harness/transports/
 * (docs/architecture.md; the lint rule in eslint.config.js holds it). A request goes through
 * `createTransport`; a connection held open without a request goes through `tunnelOpenerFor`.
 */
export { createTransport } from './create-transport.js';
export type { Transport, TransportOptions } from './transport.js';
export { tunnelOpenerFor, type OpenedTunnel, type TunnelRoute } from './open-tunnel.js';
export type { SetupTimings } from './socket-tracker.js';
export { setupFailure, type ClassifiedError } from './classify-error.js';
export { TransportFailure } from './transport-failure.js';
export { classifyStatus, type ResponseSource } from './classify-status.js';
export { basicProxyAuthorization } from './basic-auth.js';
export { authorityOf, elapsedUs, originUrl } from './connection-setup.js';
export { createExchanger, type Exchanger, type ExchangerOptions } from './exchanges/exchanger.js';
export { upgradeWebSocket, type WebSocketUpgradeRequest } from './exchanges/websocket-upgrade.js';
export { checkWebSocketEcho, webSocketMessage, webSocketPayload, type WebSocketEcho } from './exchanges/websocket-message.js';
