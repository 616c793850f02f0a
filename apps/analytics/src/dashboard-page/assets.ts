import { readFileSync } from 'node:fs';
import { AUTH_JS } from './assets/auth';
import { CUSTOMER_JS } from './assets/customer';
import { DASHBOARDS_JS } from './assets/dashboards';
import { MAIN_JS } from './assets/main';
import { STYLE_CSS } from './assets/style';
import { UI_JS } from './assets/ui';

/** A file the page loads from `/dashboard/assets/<name>`. */
export interface PageAsset {
  contentType: string;
  body: () => string;
}

const JS = 'text/javascript; charset=utf-8';
const source = (text: string): PageAsset => ({ contentType: JS, body: () => text });

let echarts: string | undefined;
/** Apache ECharts' browser build, from the installed package (no CDN), read once when first asked. */
const echartsBuild = () => (echarts ??= readFileSync(require.resolve('echarts/dist/echarts.min.js'), 'utf8'));

/**
 * The page's scripts and style: kept as TypeScript modules exporting their text, so that `tsc`
 * puts them in dist/ with the rest of the service (no copy step, no bundler).
 */
export const PAGE_ASSETS: Readonly<Record<string, PageAsset>> = {
  'echarts.min.js': { contentType: JS, body: echartsBuild },
  'main.js': source(MAIN_JS),
  'auth.js': source(AUTH_JS),
  'ui.js': source(UI_JS),
  'dashboards.js': source(DASHBOARDS_JS),
  'customer.js': source(CUSTOMER_JS),
  'style.css': { contentType: 'text/css; charset=utf-8', body: () => STYLE_CSS },
};
