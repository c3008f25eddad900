import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../harness/cli/commands/report.js';
import { writeReportViews, type ReportViewsOptions } from '../../reports/writers/report-views.js';
import { ReportError, UsageError } from '../../core/errors.js';
import { htmlFixtureReport } from '../support/html-report-fixture.js';

let dir: string;
let runPath: string;
let basePath: string;
let otherScenarioPath: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pb-report-cmd-'));
  runPath = join(dir, 'run.json');
  basePath = join(dir, 'base.json');
  otherScenarioPath = join(dir, 'other.json');
  writeFileSync(runPath, JSON.stringify(htmlFixtureReport()));
  writeFileSync(basePath, JSON.stringify(htmlFixtureReport({ seed: 7, latencyScale: 0.8, startedAt: '2025-04-30T09:00:00.000Z' })));
  writeFileSync(otherScenarioPath, JSON.stringify(htmlFixtureReport({ scenario: 'http-get' })));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('proxybench report', () => {
  it.each<[string, (keyof ReportViewsOptions & ('html' | 'md' | 'junit'))[], string[]]>([
    ['only the HTML page', ['html'], ['<!DOCTYPE html>']],
    ['only Markdown', ['md'], ['### proxybench · proxy-mixed']],
    ['HTML, Markdown and JUnit', ['html', 'md', 'junit'], ['<!DOCTYPE html>', '### proxybench', '<testsuites name="proxybench"']],
  ])('writes %s when asked for it, and nothing else', async (name, formats, starts) => {
    const out = (f: string): string => join(dir, `${name.replace(/\W+/g, '-')}.${f}`);
    const flags: ReportViewsOptions = { report: runPath, ...Object.fromEntries(formats.map((f) => [f, out(f)])) };
    const written = await writeReportViews(flags);
    expect(written.map((w) => w.format)).toEqual(formats);
    formats.forEach((f, i) => {
      const text = readFileSync(out(f), 'utf8');
      expect(text).toContain(starts[i]);
      expect(written[i]?.bytes).toBe(Buffer.byteLength(text));
    });
    for (const f of ['html', 'md', 'junit'].filter((f) => !formats.includes(f as 'html'))) expect(existsSync(out(f))).toBe(false);
  });

  it('judges a baseline once with compare and shows the same verdicts in HTML and Markdown', async () => {
    const html = join(dir, 'diff.html');
    const md = join(dir, 'diff.md');
    await writeReportViews({ report: runPath, baseline: basePath, html, md });
    const page = readFileSync(html, 'utf8');
    const regressions = /<b>compare:<\/b> (\d+) regression\(s\)/.exec(page)?.[1];
    expect(Number(regressions)).toBeGreaterThan(0);
    expect(page).toContain('id="comparison"');
    expect(readFileSync(md, 'utf8')).toMatch(/regression/i);
  });

  it.each<[string, ReportViewsOptions, string]>([
    ['no view is asked for', { report: 'run.json' }, '--html'],
    ['the HTML would overwrite the report', { report: 'run.json', html: './run.json' }, '--html'],
    ['the Markdown would overwrite the baseline', { report: 'run.json', baseline: 'base.json', md: 'base.json' }, '--md'],
  ])('refuses with a usage error naming the flag when %s', async (_, flags, field) => {
    const error = await writeReportViews(flags).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).field).toBe(field);
  });

  it.each([
    ['a missing report file', () => ({ report: join(dir, 'nope.json'), html: join(dir, 'x.html') }), /nope\.json: no such file/],
    ['a file that is not JSON', () => {
      writeFileSync(join(dir, 'bad.json'), '{ not json');
      return { report: join(dir, 'bad.json'), html: join(dir, 'x.html') };
    }, /bad\.json: not JSON/],
    ['a baseline of another scenario', () => ({ report: runPath, baseline: otherScenarioPath, html: join(dir, 'x.html') }), /different scenarios/],
  ])('fails with a report error for %s and writes nothing', async (_, flags, message) => {
    const error = await writeReportViews(flags()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportError);
    expect((error as ReportError).code).toBe('PB_ERR_REPORT');
    expect((error as Error).message).toMatch(message);
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
  });

  it('parses its flags through yargs and writes the page the flag names', async () => {
    const html = join(dir, 'cli.html');
    const logged: string[] = [];
    const log = console.log;
    console.log = (line: string) => void logged.push(line);
    try {
      await yargs(['report', runPath, '--baseline', basePath, '--html', html]).command(reportCommand).strict().parseAsync();
    } finally {
      console.log = log;
    }
    expect(readFileSync(html, 'utf8')).toContain('proxybench · proxy-mixed');
    expect(logged).toEqual([expect.stringMatching(new RegExp(`^Wrote html view to ${html.replace(/[.]/g, '\\.')} \\(\\d+ KiB\\)$`))]);
  });
});
