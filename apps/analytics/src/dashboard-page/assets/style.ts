/** The page's style sheet (a file: the Content-Security-Policy admits no inline style element). */
export const STYLE_CSS = String.raw`
:root { font-family: system-ui, sans-serif; color: #1d2733; background: #f4f6f8; }
body { margin: 0; }
[hidden] { display: none !important; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: 0.5rem 1.5rem; background: #1d2733; color: #fff; }
header h1 { font-size: 1.2rem; margin: 0 auto 0 0; }
header a { color: #fff; text-decoration: none; }
header input { font: inherit; }
main { padding: 1rem 1.5rem; display: grid; gap: 1.5rem; }
section.dashboard { background: #fff; border-radius: 6px; padding: 1rem 1.25rem; box-shadow: 0 1px 3px rgba(0, 0, 0, 0.1); }
section h2 { margin: 0 0 0.5rem; font-size: 1.1rem; }
form.filters { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; font-size: 0.85rem; margin-bottom: 0.5rem; }
form.filters label { display: flex; flex-direction: column; gap: 0.15rem; }
form.filters input, form.filters select { font: inherit; padding: 0.2rem 0.3rem; min-width: 7rem; }
.chart { width: 100%; height: 320px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; margin: 0.5rem 0; }
th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #e3e7eb; }
th.n, td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.empty { color: #6b7785; font-style: italic; }
dl.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: 0.5rem; margin: 0.5rem 0; }
.tile { background: #f4f6f8; border-radius: 4px; padding: 0.4rem 0.6rem; }
.tile dt { font-size: 0.75rem; color: #6b7785; }
.tile dd { margin: 0; font-size: 1.05rem; font-weight: 600; overflow-wrap: anywhere; }
.error { color: #a4161a; }
#status { padding: 0.5rem 1.5rem; }
#timeline-items { list-style: none; padding: 0; }
#timeline-items li { padding: 0.3rem 0; border-bottom: 1px solid #e3e7eb; font-size: 0.9rem; }
.tag { display: inline-block; background: #e3e7eb; border-radius: 3px; padding: 0 0.35rem; margin-right: 0.25rem; font-size: 0.75rem; }
a.csv { align-self: center; }
`;
