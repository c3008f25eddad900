import { describe, expect, it } from 'vitest';
import { ReportError } from '../../core/errors.js';
import { parseReport } from '../../reports/read-report.js';
import { echoReport } from '../support/echo-report.js';

/** The parts of the report's JSON the damage below edits. */
interface EditableJson {
  byKind: { echo: { messages: Record<string, unknown>; rttMs: Record<string, unknown> } };
  totals: Record<string, unknown>;
}

/** The report as its JSON file holds it, to edit. */
function asJson(): Record<string, unknown> {
  return JSON.parse(JSON.stringify(echoReport({ thresholds: ['echo.lossRate<0.5'] }))) as Record<string, unknown>;
}

describe('reading a report with message figures', () => {
  it('reads message figures and a threshold whose value is null', () => {
    const json = asJson() as { thresholds: { value: number | null }[] };
    json.thresholds[0]!.value = null;
    const report = parseReport(json, 'r.json');
    expect(report.byKind.echo?.messages?.sent).toBe(1000);
    expect(report.thresholds[0]?.value).toBeNull();
  });

  it.each([
    [(j: EditableJson) => { j.byKind.echo.messages.lost = 'none'; }, 'r.json: byKind.echo.messages.lost should be a number (got "none")'],
    [(j: EditableJson) => { j.totals.lossRate = null; }, 'r.json: totals.lossRate should be a number (got null)'],
    [(j: EditableJson) => { j.byKind.echo.rttMs.count = 3; }, 'r.json: byKind.echo.phaseHistograms.rtt is not a readable histogram: it holds 1000 samples where byKind.echo.rttMs.count says 3'],
  ])('refuses a damaged message figure (%#)', (damage, message) => {
    const json = asJson();
    damage(json as unknown as EditableJson);
    expect(() => parseReport(json, 'r.json')).toThrow(new ReportError(message));
  });
});
