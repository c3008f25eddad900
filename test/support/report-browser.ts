import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * Drives Debian's chromium (apt-get install -y chromium; nothing downloads a browser of its own)
 * with puppeteer-core to load an HTML report from a file:// URL and say what the page did: console
 * errors, requests beyond the page itself, and whether each uPlot canvas has ink in each line's
 * colour. Used by the HTML report's browser tests only.
 */

/** Where Debian installs chromium; `CHROMIUM_PATH` overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** True when the browser binary is present. */
export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** A launched headless browser with its throw-away profile. */
export interface HeadlessBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Launches chromium headless with a fresh profile and no background traffic of its own. */
export async function launchChromium(): Promise<HeadlessBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'pb-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    userDataDir,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** What one plot's canvas holds. */
export interface CanvasInk {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** Share of pixels that are not fully transparent, 0..1. */
  readonly inkedRatio: number;
  /** Pixels close to each line's colour, keyed by the line's label. */
  readonly pixelsByLine: Readonly<Record<string, number>>;
}

/** What the page did while it loaded and drew. */
export interface PageOutcome {
  /** Console errors and warnings, uncaught page errors, dialogs (an escaped name never opens one). */
  readonly problems: readonly string[];
  /** Every request other than the page's own file. */
  readonly foreignRequests: readonly string[];
  /** `data-plots-drawn` as the page's script set it. */
  readonly plotsDrawn: number;
  readonly canvases: readonly CanvasInk[];
}

/** Loads `htmlPath` at a laptop's viewport, waits for every plot to draw, and screenshots the page. */
export async function loadReportPage(headless: HeadlessBrowser, htmlPath: string, screenshotPath: string): Promise<PageOutcome> {
  const page = await headless.browser.newPage();
  const pageUrl = pathToFileURL(htmlPath).href;
  const problems: string[] = [];
  const foreignRequests: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warn') problems.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${String(err)}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (request.url() === pageUrl) return void request.continue();
    foreignRequests.push(request.url());
    void request.abort();
  });
  await page.setViewport({ width: 1366, height: 900 });
  await page.goto(pageUrl, { waitUntil: 'load' });
  await page.waitForSelector('html[data-plots-drawn]', { timeout: 10_000 });
  const plotsDrawn = Number(await page.$eval('html', (el) => el.getAttribute('data-plots-drawn')));
  const canvases = await page.evaluate(inspectCanvases);
  await page.screenshot({ path: screenshotPath as `${string}.png`, fullPage: true, optimizeForSpeed: true });
  await page.close();
  return { problems, foreignRequests, plotsDrawn, canvases };
}

/** The few DOM members the page-side inspection uses (the project compiles without the DOM lib). */
interface PageCanvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { readonly data: Uint8ClampedArray } } | null;
}
declare const document: {
  getElementById(id: string): { readonly textContent: string | null } | null;
  querySelector(selector: string): PageCanvas | null;
};

/**
 * Runs in the page: for each plot container, measures its canvas and counts pixels near each line's
 * colour (the legend is DOM, not canvas, so ink in a line's colour means uPlot drew that line).
 * Written without closures over Node values because puppeteer serialises it into the page.
 */
function inspectCanvases(): CanvasInk[] {
  const specs = JSON.parse(document.getElementById('pb-plot-data')?.textContent ?? '[]') as {
    id: string; lines: { label: string; color: string }[];
  }[];
  return specs.map((spec) => {
    const canvas = document.querySelector(`#${spec.id} canvas`);
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return { id: spec.id, width: 0, height: 0, inkedRatio: 0, pixelsByLine: {} };
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const targets = spec.lines.map((line) => [1, 3, 5].map((i) => parseInt(line.color.slice(i, i + 2), 16)));
    const counts = spec.lines.map(() => 0);
    let inked = 0;
    for (let p = 0; p < pixels.length; p += 4) {
      if ((pixels[p + 3] ?? 0) === 0) continue;
      inked += 1;
      if ((pixels[p + 3] ?? 0) < 200) continue;
      targets.forEach(([r, g, b], i) => {
        const distance = Math.abs((pixels[p] ?? 0) - (r ?? 0)) + Math.abs((pixels[p + 1] ?? 0) - (g ?? 0)) + Math.abs((pixels[p + 2] ?? 0) - (b ?? 0));
        if (distance < 48) counts[i] = (counts[i] ?? 0) + 1;
      });
    }
    return {
      id: spec.id,
      width: canvas.width,
      height: canvas.height,
      inkedRatio: inked / (pixels.length / 4),
      pixelsByLine: Object.fromEntries(spec.lines.map((line, i) => [line.label, counts[i] ?? 0])),
    };
  });
}
