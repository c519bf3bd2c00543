// Browser test of what a site with several editions adds, as a reader uses it:
//   - the changes page's budget table sorts by each numeric column (buttons in the headers, both
//     directions, aria-sort and a status line), the order read back from the cells' numbers;
//   - the search page's links to the other editions carry the words searched for, and following
//     one searches that edition (its results link that edition's pages).
//
//   node editions.mjs <site-dir>
//
// <site-dir> is a build with at least two editions (`.ci/run` builds tests/fixtures/editions).
// Exit status 0 only when every check passes. Last line: `N passed, M failed`.
import { readdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { serveDirectory } from './server.mjs';

const siteDir = process.argv[2];
if (!siteDir) {
  console.error('usage: node editions.mjs <site-dir>');
  process.exit(2);
}

let passed = 0;
let failed = 0;
const check = (ok, what) => {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};

// The editions, newest last, from the folders of the build.
const editions = (await readdir(siteDir, { withFileTypes: true }))
  .filter((e) => e.isDirectory() && /^[rh][1-9][0-9]*$/.test(e.name))
  .map((e) => e.name)
  .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
if (editions.length < 2) {
  console.error(`${siteDir} has ${editions.length} edition folder(s); two or more are needed`);
  process.exit(2);
}
const [earlier, latest] = [editions[editions.length - 2], editions[editions.length - 1]];

const server = await serveDirectory(siteDir);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
try {
  const context = await browser.newContext();
  await context.route('**/*', (route) =>
    route.request().url().startsWith(server.url) ? route.continue() : route.abort());
  const page = await context.newPage();

  // Sorting the budget changes.
  await page.goto(`${server.url}${latest}/changes/`);
  const table = 'table[data-sortable]';
  const columns = await page.$$eval(`${table} thead th`, (ths) =>
    ths.map((th, i) => (th.querySelector('button') ? i : -1)).filter((i) => i >= 0));
  check(columns.length === 4, `${latest}/changes/: 4 sortable columns (found ${columns.length})`);
  const values = (column) => page.$$eval(`${table} tbody tr`, (rows, c) =>
    rows.map((r) => r.cells[c].getAttribute('data-value')).map((v) => (v === '' ? null : Number(v))), column);
  const ordered = (list, descending) => {
    const numbers = list.filter((v) => v !== null);
    const nullsLast = list.slice(numbers.length).every((v) => v === null);
    return nullsLast && numbers.every((v, i) => i === 0 || (descending ? numbers[i - 1] >= v : numbers[i - 1] <= v));
  };
  for (const column of columns) {
    const button = page.locator(`${table} thead th`).nth(column).locator('button');
    const name = (await button.textContent()).trim();
    for (const [direction, descending] of [['descending', true], ['ascending', false]]) {
      await button.focus();
      await page.keyboard.press('Enter');
      const sort = await page.locator(`${table} thead th`).nth(column).getAttribute('aria-sort');
      const status = await page.textContent('.sort-status');
      check(sort === direction && ordered(await values(column), descending)
        && status.includes(descending ? '大きい順' : '小さい順'),
        `sort by 「${name}」 ${direction}: aria-sort=${sort}, status 「${status}」`);
    }
  }

  // Searching another edition keeps the words.
  const query = '医療';
  await page.goto(`${server.url}search/?q=${encodeURIComponent(query)}`);
  await page.waitForSelector('#search-results[data-state="done"]', { state: 'attached', timeout: 30000 });
  const link = page.locator(`nav.edition-links a[href*="${earlier}/search/"]`);
  const href = await link.getAttribute('href');
  check(new URL(href, page.url()).searchParams.get('q') === query, `the link to ${earlier}'s search keeps q: ${href}`);
  await link.click();
  await page.waitForSelector('#search-results[data-state="done"]', { state: 'attached', timeout: 30000 });
  const results = await page.$$eval('#search-results .result-title a', (links) => links.map((a) => a.href));
  check(page.url().includes(`/${earlier}/search/`) && results.length > 0
    && results.every((r) => r.includes(`/${earlier}/projects/`)),
  `${earlier}'s search for ${query}: ${results.length} results, all in ${earlier}`);
  const value = await page.inputValue('#search-q');
  check(value === query, `${earlier}'s search box holds the words (「${value}」)`);
  await context.close();
} finally {
  await browser.close();
  await server.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
