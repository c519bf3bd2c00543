// Browser test and measurement of search and filters, as a reader uses them: type a query in the
// header search box of the home page, press Enter, and read the results on the search page.
//
//   node search.mjs <site-dir> [--queries FILE] [--report FILE]
//
// For every query of tests/search_queries.txt it compares the projects found with the ground truth:
// the projects of data/projects.json whose texts (and budget and flags, as the pages show them)
// contain every term after NFKC, lower case, kana folding and figures without commas, a term in one
// spelling of a variant group (search/meta.json) counting as any of them (read independently of the
// search index and written apart from search.js). It records recall and precision, the bytes of search data the
// browser downloaded for the query, and the time from Enter to the first results. It then checks the
// filters of the home page against the same JSON. Exit status 0 only when recall and precision are
// 1.0 for every query and every filter count is right. Last line: `N passed, M failed`.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDirectory } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const siteDir = args.find((a) => !a.startsWith('--') && !args[args.indexOf(a) - 1]?.startsWith('--'));
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
if (!siteDir) {
  console.error('usage: node search.mjs <site-dir> [--queries FILE] [--report FILE]');
  process.exit(2);
}
const queriesFile = option('--queries', path.join(here, '..', 'tests', 'search_queries.txt'));
const reportFile = option('--report', '');

const SMALL_KANA = new Map([...'ぁぃぅぇぉっゃゅょゎゕゖ'].map((c, i) => [c, 'あいうえおつやゆよわかけ'[i]]));
/** NFKC, lower case, katakana as hiragana, small kana full-size, no 'ー', no comma between digits. */
const normalize = (s) => s.normalize('NFKC').toLowerCase()
  .replace(/(?<=[0-9]),(?=[0-9])/g, '')
  .replace(/ー/g, '')
  .replace(/[ァ-ヶ]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60))
  .replace(/[ぁぃぅぇぉっゃゅょゎゕゖ]/g, (c) => SMALL_KANA.get(c));

/** Variant spellings made one: each (the longest first) replaced by a mark of its group. */
function canonical(text, groups) {
  const spellings = groups.flatMap((g, n) => g.map((s) => [normalize(s), `\u0002${n}\u0003`]))
    .sort((a, b) => [...b[0]].length - [...a[0]].length);
  return spellings.reduce((t, [from, to]) => t.split(from).join(to), text);
}

/** Every text of a project that search promises to look in, from the open data JSON. */
function projectText(p) {
  const parts = [p.name, p.overview, p.situation, p.outcome, p.notes, p.category.name];
  for (const d of p.departments) parts.push(d.name);
  for (const s of p.sections) parts.push(s.name);
  for (const i of p.initiatives) {
    parts.push(i.title, i.description);
    for (const r of i.roadmap) {
      parts.push(r.label);
      for (const l of r.year_labels) parts.push(l.label);
    }
  }
  parts.push(`事業費 ${p.budget_thousand_yen.toLocaleString('en-US')}千円`);
  if (p.priority) parts.push('重点枠事業');
  if (p.future) parts.push('将来対応分');
  // Markdown list markers and emphasis are not text a reader sees.
  return normalize(parts.join('\n').replace(/^\s*[-*]\s+/gm, '').replace(/\*\*/g, ''));
}

async function main() {
  const json = JSON.parse(await readFile(path.join(siteDir, 'data', 'projects.json'), 'utf8'));
  const groups = JSON.parse(await readFile(path.join(siteDir, 'search', 'meta.json'), 'utf8')).variants || [];
  const projects = json.projects.map((p) => {
    const text = projectText(p);
    return { url: p.url, text, canonical: canonical(text, groups), data: p };
  });
  const queries = (await readFile(queriesFile, 'utf8'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  const server = await serveDirectory(siteDir);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  let passed = 0;
  let failed = 0;
  const rows = [];
  try {
    // Search: a fresh context per query, so that each query's download is counted from nothing.
    for (const query of queries) {
      const context = await browser.newContext();
      await context.route('**/*', (route) =>
        route.request().url().startsWith(server.url) ? route.continue() : route.abort());
      const page = await context.newPage();
      let bytes = 0;
      page.on('response', async (response) => {
        if (response.url().includes('/search/') && response.url().endsWith('.json')) {
          try { bytes += (await response.body()).length; } catch { /* aborted */ }
        }
      });
      await page.goto(server.url, { waitUntil: 'load' });
      await page.fill('#site-search-q', query);
      const started = Date.now();
      await page.press('#site-search-q', 'Enter');
      await page.waitForSelector('#search-results[data-state="done"]', { state: 'attached', timeout: 30000 });
      const elapsed = Date.now() - started;
      const scriptMs = Number(await page.getAttribute('#search-results', 'data-elapsed-ms'));
      const found = await page.$$eval('#search-results .result-title a', (links) =>
        links.map((a) => new URL(a.href).pathname));
      const hasMore = await page.isVisible('#search-more');
      const terms = normalize(query).split(/\s+/).filter(Boolean);
      const truth = projects
        .filter((p) => terms.every((t) => p.text.includes(t) || p.canonical.includes(canonical(t, groups))))
        .map((p) => p.url);
      const foundSet = new Set(found.map((u) => u.replace(/^\//, '').replace(new URL(server.url).pathname.slice(1), '')));
      const hits = truth.filter((u) => foundSet.has(u)).length;
      // With more results than one page, recall is over the first page only.
      const expected = hasMore ? Math.min(truth.length, found.length) : truth.length;
      const recall = expected === 0 ? 1 : hits / expected;
      const precision = found.length === 0 ? (truth.length === 0 ? 1 : 0) : hits / found.length;
      const urlQuery = new URL(page.url()).searchParams.get('q');
      const ok = recall === 1 && precision === 1 && urlQuery === query;
      rows.push({ query, truth: truth.length, found: found.length, recall, precision, bytes, elapsed, scriptMs, ok });
      if (ok) passed += 1;
      else {
        failed += 1;
        console.log(`FAIL search 「${query}」: truth ${truth.length}, found ${found.length}, recall ${recall}, precision ${precision}, url q=${urlQuery}`);
        console.log(`  missing: ${truth.filter((u) => !foundSet.has(u)).join(', ')}`);
      }
      await context.close();
    }

    // Typing through an IME: nothing is searched, announced or put in the URL while composing;
    // the committed word is searched, and the page title names it.
    {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${server.url}search/`, { waitUntil: 'load' });
      await page.focus('#search-q');
      const cdp = await context.newCDPSession(page);
      const announced = [];
      await page.exposeFunction('noteStatus', (text) => announced.push(text));
      await page.evaluate(() => new MutationObserver(() => window.noteStatus(document.getElementById('search-status').textContent))
        .observe(document.getElementById('search-status'), { childList: true, characterData: true, subtree: true }));
      for (const text of ['い', 'いり', 'いりょ', 'いりょう']) {
        await cdp.send('Input.imeSetComposition', { text, selectionStart: text.length, selectionEnd: text.length });
        await page.waitForTimeout(300);
      }
      const urlWhileComposing = new URL(page.url()).searchParams.get('q');
      const announcedWhileComposing = announced.filter(Boolean).length;
      await cdp.send('Input.insertText', { text: '医療' });
      await page.waitForFunction(() => document.getElementById('search-status').textContent.includes('医療'), null, { timeout: 10000 });
      const urlAfter = new URL(page.url()).searchParams.get('q');
      const title = await page.title();
      const ok = urlWhileComposing === null && announcedWhileComposing === 0 && urlAfter === '医療' && title.includes('「医療」');
      if (ok) passed += 1;
      else {
        failed += 1;
        console.log(`FAIL IME: while composing url q=${urlWhileComposing}, ${announcedWhileComposing} announcements; after: q=${urlAfter}, title 「${title}」`);
      }
      await context.close();
    }

    // More matches than a page: the first page is ranked among all matches (every project whose name
    // holds the term comes before any that does not), and 「さらに表示」 appends without re-sorting.
    {
      const context = await browser.newContext();
      const page = await context.newPage();
      const term = 'の';
      await page.goto(`${server.url}search/?q=${encodeURIComponent(term)}`, { waitUntil: 'load' });
      await page.waitForSelector('#search-results[data-state="done"]', { state: 'attached' });
      const names = () => page.$$eval('#search-results .result-title a', (links) => links.map((a) => a.textContent));
      const first = await names();
      const inName = projects.filter((p) => normalize(p.data.name).includes(term)).length;
      const truth = projects.filter((p) => p.text.includes(term)).length;
      let ok = first.length === Math.min(20, truth);
      const leadingNameHits = first.findIndex((n) => !normalize(n).includes(term));
      ok &&= (leadingNameHits === -1 ? first.length : leadingNameHits) === Math.min(inName, first.length);
      if (truth > first.length) {
        await page.click('#search-more');
        await page.waitForFunction((n) => document.querySelectorAll('#search-results li').length > n, first.length);
        const after = await names();
        ok &&= after.length === truth && first.every((n, i) => after[i] === n);
      }
      if (ok) passed += 1;
      else {
        failed += 1;
        console.log(`FAIL ranking of 「${term}」: first page ${first.length} (${inName} names hold it, ${truth} match)`);
      }
      await context.close();
    }

    // Filters: every category, every department, every year, and the two flags, against the JSON.
    const context = await browser.newContext();
    const page = await context.newPage();
    const cases = [];
    for (const c of new Set(json.projects.map((p) => p.category.slug))) {
      cases.push({ params: `category=${c}`, keep: (p) => p.category.slug === c });
    }
    for (const d of new Set(json.projects.flatMap((p) => p.departments.map((x) => x.slug)))) {
      cases.push({ params: `department=${d}`, keep: (p) => p.departments.some((x) => x.slug === d) });
    }
    for (let year = 2024; year <= 2028; year += 1) {
      cases.push({
        params: `year=${year}`,
        keep: (p) => p.start.fiscal_year <= year && (p.end.fiscal_year === null || year <= p.end.fiscal_year),
      });
    }
    cases.push({ params: 'priority=1&future=1', keep: (p) => p.priority && p.future });
    cases.push({ params: 'priority=1&year=2027', keep: (p) => p.priority && p.start.fiscal_year <= 2027 && (p.end.fiscal_year === null || 2027 <= p.end.fiscal_year) });
    for (const c of cases) {
      await page.goto(`${server.url}?${c.params}`, { waitUntil: 'load' });
      const count = await page.$$eval('#all-projects tbody tr', (trs) => trs.filter((tr) => !tr.hidden).length);
      const total = await page.textContent('#all-projects [data-role="total"]');
      const expected = json.projects.filter(c.keep);
      const expectedTotal = expected.reduce((s, p) => s + p.budget_thousand_yen, 0);
      const ok = count === expected.length && Number(total.replace(/,/g, '')) === expectedTotal;
      if (ok) passed += 1;
      else {
        failed += 1;
        console.log(`FAIL filter ${c.params}: ${count} rows, total ${total}; expected ${expected.length}, ${expectedTotal}`);
      }
    }
    // Changing a filter updates the URL.
    await page.goto(server.url, { waitUntil: 'load' });
    await page.selectOption('#filter-year', '2026');
    if (new URL(page.url()).searchParams.get('year') === '2026') passed += 1;
    else {
      failed += 1;
      console.log('FAIL filter: the URL does not keep the year');
    }
    // A choice no project meets: the caption and the table say so, the count and total are 0.
    {
      const categories = [...new Set(json.projects.map((p) => p.category.slug))];
      const departments = [...new Set(json.projects.flatMap((p) => p.departments.map((x) => x.slug)))];
      const pair = categories.flatMap((c) => departments.map((d) => [c, d]))
        .find(([c, d]) => !json.projects.some((p) => p.category.slug === c && p.departments.some((x) => x.slug === d)));
      if (!pair) {
        failed += 1;
        console.log('FAIL filter: no empty category and department pair to test with');
      } else {
        await page.goto(`${server.url}?category=${pair[0]}&department=${pair[1]}`, { waitUntil: 'load' });
        const caption = await page.textContent('#all-projects caption');
        const emptyShown = await page.$$eval('#all-projects tbody tr', (trs) =>
          trs.filter((tr) => !tr.hidden).map((tr) => tr.textContent));
        const status = await page.textContent('#filter-status');
        const ok = caption === '条件に合う事業（0件）' && emptyShown.length === 1 && emptyShown[0].includes('条件に合う事業はありません')
          && status.includes('条件に合う事業はありません');
        if (ok) passed += 1;
        else {
          failed += 1;
          console.log(`FAIL filter with no match: caption 「${caption}」, rows ${JSON.stringify(emptyShown)}, status 「${status}」`);
        }
      }
    }
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }

  const lines = ['| query | projects containing it | found | recall | precision | search data downloaded | time to results |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows) {
    lines.push(`| ${r.query} | ${r.truth} | ${r.found} | ${r.recall.toFixed(2)} | ${r.precision.toFixed(2)} | ${(r.bytes / 1024).toFixed(1)} KB | ${r.elapsed} ms (script ${r.scriptMs} ms) |`);
  }
  const recall = rows.reduce((s, r) => s + r.recall, 0) / rows.length;
  const maxBytes = Math.max(...rows.map((r) => r.bytes));
  const medianElapsed = rows.map((r) => r.elapsed).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
  const summary = `${rows.length} queries: mean recall ${recall.toFixed(3)}, largest download ${(maxBytes / 1024).toFixed(1)} KB, median time to results ${medianElapsed} ms`;
  console.log(lines.join('\n'));
  console.log(summary);
  if (reportFile) await writeFile(reportFile, `${lines.join('\n')}\n\n${summary}\n`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
