import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { waitFor } from '@crm/test-support';

const ROOT = join(__dirname, '..', '..', '..');
/** Where CI keeps what a run leaves (scripts/platform.sh keeps .run). */
export const ARTEFACTS = join(ROOT, '.run', 'artefacts');

/** Debian's Chromium (`apt-get install chromium`; scripts/platform.sh test installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The local OpenID provider (infra/oidc/server.mjs, the program `platform.sh` runs) on a port
 * and keys folder of the test's own, with the dashboard client's redirect URI naming the analytics
 * service under test (OIDC_DASHBOARD_REDIRECT_URIS): the shared provider knows only port 3005.
 */
export class TestProvider {
  private constructor(
    private readonly child: ChildProcess,
    readonly issuer: string,
    readonly output: string[],
  ) {}

  static async start(port: number, keysDir: string, dashboardUrl: string): Promise<TestProvider> {
    const child = spawn(process.execPath, [join(ROOT, 'infra/oidc/server.mjs')], {
      cwd: ROOT,
      env: {
        ...process.env,
        OIDC_PORT: String(port),
        OIDC_KEYS_DIR: keysDir,
        OIDC_DASHBOARD_REDIRECT_URIS: dashboardUrl,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const keep = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const provider = new TestProvider(child, `http://127.0.0.1:${port}`, output);
    await waitFor(
      `the OpenID provider on port ${port}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`the provider exited:\n${output.join('\n')}`);
        return (await fetch(`${provider.issuer}/.well-known/openid-configuration`).catch(() => undefined))
          ?.ok;
      },
      30_000,
      100,
    );
    return provider;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** A headless Chromium page that records every console error and uncaught exception. */
export async function openBrowser(): Promise<{ browser: Browser; page: Page; errors: string[] }> {
  await mkdir(ARTEFACTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return { browser, page, errors };
}

/**
 * The few DOM and ECharts types the functions run in the page use (the tests compile without the
 * DOM library; these functions are sent to the browser, so they name only its globals).
 */
interface PageElement {
  id: string;
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  closest(selector: string): PageElement | null;
}
type ChartOption = Record<string, { name?: string; data?: unknown[] }[] | undefined>;
interface PageGlobals {
  document: {
    getElementById(id: string): PageElement | null;
    querySelectorAll(selector: string): ArrayLike<PageElement>;
  };
  echarts: { getInstanceByDom(node: PageElement): { getOption(): ChartOption } | undefined };
}

/** What a chart shows: its category axis and each series' name and values, from the ECharts instance. */
export interface ChartFigures {
  categories: unknown[];
  series: Record<string, unknown[]>;
}

export function chartOf(page: Page, id: string): Promise<ChartFigures> {
  return page.evaluate((elementId) => {
    const { document, echarts } = globalThis as unknown as PageGlobals;
    const node = document.getElementById(elementId);
    const option = node ? echarts.getInstanceByDom(node)?.getOption() : undefined;
    if (!option) throw new Error(`no chart in #${elementId}`);
    const axis = (option.xAxis?.[0]?.data ? option.xAxis : option.yAxis) ?? [];
    return {
      categories: axis[0]?.data ?? [],
      series: Object.fromEntries((option.series ?? []).map((s) => [s.name ?? '', s.data ?? []])),
    };
  }, id);
}

/** The key figures of a tiles list: `{ [data-figure]: text shown }`. */
export function tilesOf(page: Page, id: string): Promise<Record<string, string>> {
  return page.$$eval(`#${id} [data-figure]`, (tiles: PageElement[]) =>
    Object.fromEntries(tiles.map((t) => [t.getAttribute('data-figure'), t.querySelector('dd')?.textContent])),
  );
}

/** The text of each row of a table's body, cell by cell. */
export function rowsOf(page: Page, id: string): Promise<string[][]> {
  return page.$$eval(`#${id} tbody tr`, (rows: PageElement[]) =>
    rows.map((r) => Array.from(r.querySelectorAll('td')).map((c) => c.textContent ?? '')),
  );
}

/** The titles of the timeline entries shown, and the context of each. */
export function timelineOf(page: Page): Promise<{ title: string; context: string }[]> {
  return page.$$eval('#timeline-items li[data-context]', (items: PageElement[]) =>
    items.map((li) => ({
      title: li.querySelector('.title')?.textContent ?? '',
      context: li.getAttribute('data-context') ?? '',
    })),
  );
}

/**
 * Waits until every shown section has answered its last load (ready as of `asOf`, or error),
 * then answers each one's state and error text: the test asserts they are all ready.
 */
export async function sectionsAnswered(page: Page, asOf: string): Promise<Record<string, string>> {
  await page.waitForFunction(
    (at) =>
      Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('section.dashboard'))
        .filter((s) => !s.closest('[hidden]'))
        .every((s) => s.dataset.state === 'error' || (s.dataset.state === 'ready' && s.dataset.asOf === at)),
    asOf,
    { timeout: 30_000 },
  );
  return page.$$eval('section.dashboard', (sections: PageElement[]) =>
    Object.fromEntries(
      sections
        .filter((s) => !s.closest('[hidden]'))
        .map((s) => [s.id, `${s.dataset.state} ${s.querySelector('.error')?.textContent ?? ''}`.trim()]),
    ),
  );
}
