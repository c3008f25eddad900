import { startOrigin } from '../mock-targets/origins/http-origin.js';

/**
 * Child entry of bench/transport-cpu.ts: runs the HTTP and HTTPS mock origins in a process of
 * their own, so the benchmark's `process.cpuUsage()` holds the transports' CPU and nothing else.
 * Sends `{ http, https, caPem }` to its parent once listening; exits when the parent disconnects.
 */
const [http, https] = await Promise.all([startOrigin(), startOrigin({ tls: true })]);
process.send?.({ http: http.address, https: https.address, caPem: https.caPem });
process.once('disconnect', () => {
  void Promise.all([http.close(), https.close()]).then(() => process.exit(0));
});
