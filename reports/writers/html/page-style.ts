/**
 * The page's own CSS (uPlot's stylesheet is inlined beside it). System fonts only: the page must
 * not fetch anything, and a laptop screen is the target, so plots sit two abreast from ~1100 px.
 */
export const PAGE_STYLE = `
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #dadce0; --bg-alt: #f6f8fa; --bad: #b3261e; --good: #1e7b34; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1320px; margin: 0 auto; padding: 16px 24px 48px; }
header h1 { font-size: 22px; margin: 8px 0 4px; }
header .summary { font-size: 16px; margin: 0 0 4px; }
header .meta, .hint, .note { color: var(--muted); margin: 4px 0; }
nav { margin: 12px 0; display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 13px; }
nav a { color: #1a5fb4; text-decoration: none; }
h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 16px 0 6px; }
.warnings { border: 2px solid var(--bad); background: #fdecea; border-radius: 6px; padding: 4px 16px 8px; margin: 12px 0; }
.warnings h2 { color: var(--bad); border: 0; margin: 8px 0 4px; }
.warnings ul { margin: 0; padding-left: 20px; }
.warnings code { font-weight: 600; margin-right: 6px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: var(--bg-alt); font-weight: 600; }
td.num { text-align: right; }
td.key { font-weight: 600; }
td.total, tr:first-child td.key.total { font-weight: 700; }
td.worse { color: var(--bad); font-weight: 600; }
td.better { color: var(--good); font-weight: 600; }
.scroll { overflow-x: auto; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(540px, 1fr)); gap: 12px 24px; }
figure.plot { margin: 8px 0; min-width: 0; }
figure.plot figcaption { font-weight: 600; margin-bottom: 4px; }
.side-by-side { display: flex; flex-wrap: wrap; gap: 0 40px; align-items: flex-start; }
p.verdict { margin: 4px 0; }
ul.notes { margin: 4px 0; color: var(--muted); }
details summary { cursor: pointer; color: #1a5fb4; margin: 4px 0; }
pre.config { background: var(--bg-alt); padding: 8px 12px; border-radius: 4px; font-size: 12px; max-height: 360px; overflow: auto; }
.uplot .legend { font-size: 12px; }
`;
