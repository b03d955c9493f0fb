// The API reference page in a real browser: Debian's Chromium driven by playwright-core opens
// /docs on a running server, finds every operationId of the spec on the page, tries one call out
// from the page and sees its answer, and asks nothing of any other host. Screenshots are saved
// under a directory the test prints.
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { SPEC_PATH } from '../../src/paths';
import { ENGINES } from '../helpers/engines';
import { startTestServer, type TestServer } from '../helpers/http';

/** Debian's package (`apt-get install chromium`); never a browser downloaded by Playwright. */
const CHROMIUM = process.env.FREEZER_TEST_CHROMIUM ?? '/usr/bin/chromium';
/** Without the background-networking flags Chromium keeps calling Google's hosts, which this closed network refuses. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = path.join(os.tmpdir(), 'freezer-api-docs-screenshots');

const spec = parse(readFileSync(SPEC_PATH, 'utf8')) as { paths: Record<string, Record<string, { operationId?: string }>> };
const OPERATION_IDS = Object.values(spec.paths)
  .flatMap((item) => Object.values(item))
  .map((operation) => operation.operationId)
  .filter((id): id is string => typeof id === 'string');

describe('the API reference page (/docs) in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  /** Every address the page asked for that is not the server's own. */
  const elsewhere: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set FREEZER_TEST_CHROMIUM)`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer(ENGINES[0]!);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  }, 60000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists every operation, tries one out against this server, and calls no other host', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(server.url)) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    await page.goto(`${server.url}/docs`);
    await page.waitForSelector('.opblock', { timeout: 30000 });
    const shown = await page.$$eval('.opblock-summary-operation-id', (nodes) => nodes.map((node) => node.textContent?.trim()));
    expect(OPERATION_IDS.filter((id) => !shown.includes(id))).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'docs.png'), fullPage: false });

    // Try GET /healthz out from the page: its answer is shown under "Responses".
    const operation = page.locator('.opblock', {
      has: page.locator('.opblock-summary-operation-id', { hasText: /^getLiveness$/ }),
    });
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('button.execute').click();
    const live = operation.locator('.live-responses-table');
    await live.waitFor({ timeout: 15000 });
    await expect(live.locator('tr.response .response-col_status').first().textContent()).resolves.toMatch(/200/);
    await expect(live.locator('tr.response .response-col_description').first().textContent()).resolves.toMatch(
      /"status": "alive"/,
    );
    await operation.screenshot({ path: path.join(SCREENSHOTS, 'try-it-out.png') });
    console.log(`screenshots of /docs: ${SCREENSHOTS}/docs.png, ${SCREENSHOTS}/try-it-out.png`);

    expect(elsewhere).toEqual([]);
    await page.close();
  }, 90000);
});
