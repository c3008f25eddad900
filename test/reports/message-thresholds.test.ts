import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import type { Report } from '../../reports/schema.js';
import { checkThresholdsApply, evaluateThresholds, parseThreshold, THRESHOLD_METRICS } from '../../reports/thresholds/index.js';
import { messageKindsOf } from '../../reports/thresholds/check-applicable.js';
import { ECHO_MIX, echoReport } from '../support/echo-report.js';
import { syntheticReport } from '../support/synthetic-report.js';

/** The one result of `expression` evaluated on `report`. */
function evaluate(report: Report, expression: string): ReturnType<typeof evaluateThresholds>[number] {
  const [result] = evaluateThresholds(report, [parseThreshold(expression)]);
  if (!result) throw new Error('no result');
  return result;
}

function usageErrorOf(run: () => unknown): UsageError {
  try {
    run();
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error('no usage error');
}

describe('message thresholds: parsing', () => {
  it.each([
    ['rtt.p99<20ms', { metric: 'rtt.p99', op: '<', limit: 20 }],
    ['websocket.rtt.p99<20ms', { kind: 'websocket', metric: 'rtt.p99', op: '<', limit: 20 }],
    ['echo.rtt.mean<=1.5s', { kind: 'echo', metric: 'rtt.mean', op: '<=', limit: 1500 }],
    ['lossRate<0.001', { metric: 'lossRate', op: '<', limit: 0.001 }],
    ['udp.lossRate<0.1%', { kind: 'udp', metric: 'lossRate', op: '<', limit: 0.001 }],
    ['messagesPerSecond>=10000', { metric: 'messagesPerSecond', op: '>=', limit: 10000 }],
    ['messagesPerSecond>=500/s', { metric: 'messagesPerSecond', op: '>=', limit: 500 }],
    ['messages.sent>=100', { metric: 'messages.sent', op: '>=', limit: 100 }],
    ['echo.messages.lost==0', { kind: 'echo', metric: 'messages.lost', op: '==', limit: 0 }],
    ['messages.reordered==0', { metric: 'messages.reordered', op: '==', limit: 0 }],
    ['messages.duplicates==0', { metric: 'messages.duplicates', op: '==', limit: 0 }],
  ])('reads %s', (expression, expected) => {
    expect(parseThreshold(expression)).toEqual({ expression, ...expected });
  });

  it('refuses a loss rate above 1 and names the message metrics in the known-metrics hint', () => {
    expect(usageErrorOf(() => parseThreshold('lossRate<5')).message).toContain('write 0.05 or 5%');
    const hint = usageErrorOf(() => parseThreshold('rtt<5ms')).message;
    for (const name of ['rtt.p99', 'messagesPerSecond', 'lossRate', 'messages.sent']) expect(hint).toContain(name);
    expect(THRESHOLD_METRICS).toEqual(expect.arrayContaining(['rtt.p50', 'rtt.p999', 'rtt.max', 'rtt.mean', 'messages.received', 'messages.duplicates']));
  });
});

describe('message thresholds: evaluated on a report', () => {
  const clean = echoReport();
  // 1 message in 100 lost in every second: 200 sent a second, 2 lost.
  const lossy = echoReport({ lostPerSecond: [2, 2, 2, 2, 2] });

  it('reads the echo kind and the total, which carries the message kinds only', () => {
    const echo = clean.byKind.echo?.messages;
    expect(echo).toEqual({ sent: 1000, received: 1000, lost: 0, reordered: 0, duplicates: 0 });
    expect(evaluate(clean, 'echo.messages.sent>=1000')).toMatchObject({ value: 1000, passed: true });
    expect(evaluate(clean, 'messages.received==1000')).toMatchObject({ value: 1000, passed: true });
    expect(evaluate(clean, 'messagesPerSecond>=200')).toMatchObject({ value: 200, passed: true });
    expect(evaluate(clean, 'messagesPerSecond>=10000')).toMatchObject({ value: 200, passed: false });
    const rttP99 = clean.byKind.echo?.rttMs?.p99 ?? Number.NaN;
    expect(evaluate(clean, 'echo.rtt.p99<60s')).toMatchObject({ value: rttP99, passed: true });
    expect(evaluate(clean, `echo.rtt.p99<${rttP99}ms`)).toMatchObject({ value: rttP99, passed: false });
    expect(evaluate(clean, 'lossRate==0')).toMatchObject({ value: 0, passed: true });
  });

  it('reads loss, reordering and duplicates as counted', () => {
    expect(evaluate(lossy, 'echo.lossRate<0.001')).toMatchObject({ value: 0.01, passed: false });
    expect(evaluate(lossy, 'echo.messages.lost==10')).toMatchObject({ value: 10, passed: true });
    const disordered = echoReport({ reordered: 3, duplicates: 2 });
    expect(evaluate(disordered, 'messages.reordered==0')).toMatchObject({ value: 3, passed: false });
    expect(evaluate(disordered, 'echo.messages.duplicates<=2')).toMatchObject({ value: 2, passed: true });
  });

  it('fails an rtt percentile as not measurable when more messages were lost than lie above it', () => {
    // 1 % lost: exactly p99's share is allowed, p999's (0.1 %) and max's (none) are not.
    expect(evaluate(lossy, 'echo.rtt.p99<60s')).toMatchObject({ passed: true });
    expect(evaluate(lossy, 'echo.rtt.p50<60s')).toMatchObject({ passed: true });
    const p999 = evaluate(lossy, 'echo.rtt.p999<60s');
    expect(p999.passed).toBe(false);
    expect(p999.reason).toBe('echo.rtt.p999 not measurable: 1 % of messages were lost (> 0.1 %)');
    expect(evaluate(lossy, 'rtt.max<60s').reason).toBe('rtt.max not measurable: 1 % of messages were lost (> 0 %)');
    // The failed-request rule does not apply to rtt: no request failed here, and none of get's count.
    expect(evaluate(clean, 'rtt.max<60s')).toMatchObject({ passed: true });
    expect(evaluate(clean, 'rtt.max<60s').reason).toBeUndefined();
  });

  it('fails a message figure the echo kind did not measure as not measured (null), never as 0', () => {
    // Every echo exchange failed before its first message: the block has no message figures.
    const refused = syntheticReport({
      scenario: 'echo-mix',
      kinds: {
        get: { latenciesMs: [5], requestsPerSecond: [10, 10] },
        echo: { latenciesMs: [5], requestsPerSecond: [10, 10], failuresPerSecond: [10, 10], failureCause: 'proxy_refused', protocol: 'socks5' },
      },
      config: { scenario: 'echo-mix', mix: ECHO_MIX },
    });
    expect(refused.byKind.echo?.messages).toBeUndefined();
    for (const expression of ['echo.lossRate<0.5', 'lossRate<0.5', 'echo.messages.lost==0', 'echo.rtt.p99<60s', 'messagesPerSecond>=0']) {
      const result = evaluate(refused, expression);
      expect(result.passed, expression).toBe(false);
      expect(result.value, expression).toBeNull();
      expect(result.reason, expression).toMatch(/ not measured: no message was sent/);
    }
  });

  it('refuses a message figure on an HTTP kind or an HTTP-only report as a usage error', () => {
    expect(usageErrorOf(() => evaluate(clean, 'get.rtt.p99<20ms')).message).toContain("request kind 'get' exchanges no messages");
    const http = syntheticReport({ kinds: { 'get-1k': { latenciesMs: [5], requestsPerSecond: [10] } } });
    const error = usageErrorOf(() => evaluate(http, 'lossRate<0.001'));
    expect(error.field).toBe("threshold 'lossRate<0.001'");
    expect(error.message).toContain("scenario 'synthetic' has no kind that exchanges messages");
  });
});

describe('checkThresholdsApply with message figures', () => {
  const scope = { scenario: 'echo-mix', kinds: ['get', 'echo'], messageKinds: messageKindsOf(ECHO_MIX), sutSampled: false, holds: false };

  it('finds the kinds whose operation exchanges messages', () => {
    expect(messageKindsOf(ECHO_MIX)).toEqual(['echo']);
  });

  it('lets message figures of a message kind and of the total through', () => {
    const thresholds = ['echo.rtt.p99<20ms', 'lossRate<0.001', 'messagesPerSecond>=10000', 'get.p99<1s'].map((t) => parseThreshold(t));
    expect(() => checkThresholdsApply(thresholds, scope)).not.toThrow();
  });

  it('refuses, before the run, a message figure of an HTTP kind or of a scenario without message kinds', () => {
    const onKind = usageErrorOf(() => checkThresholdsApply([parseThreshold('get.lossRate<0.001')], scope));
    expect(onKind.message).toBe("--threshold: 'get.lossRate<0.001' is a message figure, and request kind 'get' exchanges no messages (only tcp-echo, websocket and udp-echo operations exchange messages); kinds with messages: echo");
    const httpOnly = { ...scope, scenario: 'http-get', kinds: ['get'], messageKinds: [] };
    const onTotal = usageErrorOf(() => checkThresholdsApply([parseThreshold('rtt.p99<20ms')], httpOnly));
    expect(onTotal.field).toBe('--threshold');
    expect(onTotal.message).toContain("scenario 'http-get' has no kind that exchanges messages");
  });
});
