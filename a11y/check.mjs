#!/usr/bin/env node
// Accessibility and validity checks for the generated site.
//
// Usage: node check.mjs <site-dir> [--screenshots <dir>]
//
// Checks (each one passes or fails on its own):
//   vnu       Nu HTML Checker, errors only, on every HTML file
//   axe       axe-core (WCAG 2.0/2.1 A+AA, WCAG 2.2 AA) on every page in Chromium
//   keyboard  Tab order and visible focus indicator on the home page and one project page
//   nojs      with JavaScript disabled, every HTML page is reachable by links from the home page
//   reflow    at a 320 px wide viewport no page scrolls sideways
//   tables    at 320, 390 and 1280 px: no table cell narrower than two characters of its font; at
//             the phone widths every project's budget in a list is inside the viewport; in a grid
//             that scrolls sideways (roadmap, timeline) the row names stay in view when scrolled
//   print     every project page, the timeline and the home page printed to A4 PDF (pdf.js reads
//             the text of each page): no last page holding only the footer, and each rowgroup of a
//             roadmap table that fits on a page printed on one page (no table starting with one row
//             at the foot of a page)
// With --screenshots, full-page screenshots of one page of each kind are saved
// at widths 390 and 1280 (not a check).
//
// Exit code: 0 if every check passed, 1 if any failed, 2 on a usage error.

import { spawn } from 'node:child_process';
import { readFile, readdir, mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveDirectory } from './server.mjs';

const require = createRequire(import.meta.url);

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const JAVA = process.env.JAVA || 'java';
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const DESKTOP_VIEWPORT = { width: 1280, height: 800 };
const REFLOW_WIDTH = 320;
const SCREENSHOT_WIDTHS = [390, 1280];
const CHECK_NAMES = ['vnu', 'axe', 'keyboard', 'nojs', 'reflow', 'tables', 'print'];
const TABLE_WIDTHS = [320, 390, 1280];
// Pages that are not meant to be reached by links: a root 404.html is the page
// static hosts show for a missing URL. Every other check still covers them.
// Pages no link needs to reach: the 404 pages (the root's and each edition's), and the pages a
// site with editions keeps at old URLs (marked noindex: a project or page the latest edition no
// longer has, reached only by links published before). Filled when the site's files are listed.
const NOT_LINKED_ON_PURPOSE = new Set(['404.html']);

async function notLinkedOnPurpose(siteDir, files) {
  for (const f of files) {
    if (path.posix.basename(f) === '404.html') {
      NOT_LINKED_ON_PURPOSE.add(f);
      continue;
    }
    const html = await readFile(path.join(siteDir, f), 'utf8');
    if (/<meta[^>]*name="?robots"?[^>]*content="?[^">]*noindex/.test(html)
      || /<meta[^>]*content="?[^">]*noindex[^>]*name="?robots"?/.test(html)) {
      NOT_LINKED_ON_PURPOSE.add(f);
    }
  }
}

// ---------------------------------------------------------------------------
// Command line

function usage(message) {
  if (message) console.error(`error: ${message}`);
  console.error(`usage: node check.mjs <site-dir> [--screenshots <dir>] [--only <check>[,<check>…]] (checks: ${CHECK_NAMES.join(', ')})`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { siteDir: null, screenshots: null, only: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--screenshots') {
      if (i + 1 >= argv.length) usage('--screenshots needs a directory');
      options.screenshots = argv[++i];
    } else if (arg.startsWith('--screenshots=')) {
      options.screenshots = arg.slice('--screenshots='.length);
    } else if (arg === '--only') {
      if (i + 1 >= argv.length) usage('--only needs check names');
      options.only = argv[++i].split(',');
      const unknown = options.only.filter((name) => !CHECK_NAMES.includes(name));
      if (unknown.length > 0) usage(`unknown check ${unknown.join(', ')}`);
    } else if (arg === '-h' || arg === '--help') {
      usage();
    } else if (arg.startsWith('-')) {
      usage(`unknown option ${arg}`);
    } else if (options.siteDir === null) {
      options.siteDir = arg;
    } else {
      usage(`unexpected argument ${arg}`);
    }
  }
  if (options.siteDir === null) usage('missing <site-dir>');
  return options;
}

// ---------------------------------------------------------------------------
// Helpers

/** All .html files under `dir`, as sorted POSIX paths relative to `dir`. */
async function listHtmlFiles(dir) {
  const found = [];
  async function walk(sub) {
    const entries = await readdir(path.join(dir, sub), { withFileTypes: true });
    for (const entry of entries) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(rel);
      else if (entry.isFile() && entry.name.endsWith('.html')) found.push(rel);
    }
  }
  await walk('');
  return found.sort(comparePaths);
}

/** Sorts shallower paths first, then by name, so index.html comes before sub-pages. */
function comparePaths(a, b) {
  const depth = a.split('/').length - b.split('/').length;
  return depth !== 0 ? depth : a < b ? -1 : a > b ? 1 : 0;
}

/** URL path at which a site file is served: `projects/x/index.html` -> `projects/x/`. */
function urlPathForFile(file) {
  if (file === 'index.html') return '';
  if (file.endsWith('/index.html')) return file.slice(0, -'index.html'.length);
  return file;
}

/** Site file for a URL pathname: `/projects/x/` -> `projects/x/index.html`. */
function fileForUrlPath(pathname) {
  let rel = decodeURIComponent(pathname).replace(/^\/+/, '');
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  return rel;
}

/** Collapses whitespace and shortens a snippet for one-line output. */
function oneLine(text, max = 160) {
  const flat = String(text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function formatDuration(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Helper functions installed into a page (main world) with page.evaluate.
 * Works with JavaScript disabled too, since evaluate is driven by the browser.
 */
const PAGE_HELPERS = `(() => {
  const oneLine = (s, max) => {
    const flat = String(s || '').replace(/\\s+/g, ' ').trim();
    return flat.length > max ? flat.slice(0, max - 1) + '\\u2026' : flat;
  };
  window.__a11y = {
    describe(el) {
      if (!el || el.nodeType !== 1) return String(el);
      let d = el.localName;
      if (el.id) d += '#' + el.id;
      for (const c of Array.from(el.classList).slice(0, 2)) d += '.' + c;
      const href = el.getAttribute('href');
      if (href !== null) d += '[href="' + oneLine(href, 60) + '"]';
      if (el.hasAttribute('tabindex')) d += '[tabindex="' + el.getAttribute('tabindex') + '"]';
      const label = el.getAttribute('aria-label');
      const text = label !== null ? label : el.textContent;
      const t = oneLine(text, 40);
      if (t) d += ' "' + t + '"';
      return d;
    },
    isVisible(el) {
      return el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true })
        && el.getClientRects().length > 0;
    },
  };
})()`;

// ---------------------------------------------------------------------------
// Check: Nu HTML Checker

function runProcess(command, args) {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child;
    try {
      child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      resolve({ code: null, stdout, stderr, error });
      return;
    }
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => resolve({ code: null, stdout, stderr, error }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function checkVnu(siteDir, files, log) {
  // require('vnu-jar') only exports the jar's path; its Java downloader is never used.
  const jar = String(require('vnu-jar'));
  const absolute = files.map((f) => path.join(siteDir, f));
  const run = await runProcess(JAVA, ['-jar', jar, '--errors-only', '--format', 'json', ...absolute]);
  if (run.error) {
    log(`could not run ${JAVA}: ${run.error.message}`);
    return { ok: false, summary: `could not run the checker (${run.error.message})` };
  }
  // vnu writes its JSON report to stderr; look in both streams to be safe.
  const text = [run.stderr, run.stdout].find((s) => s.trim().startsWith('{'));
  let report;
  try {
    report = JSON.parse(text);
  } catch {
    log(`unexpected output from vnu (exit code ${run.code}):`);
    log(oneLine(run.stderr || run.stdout, 2000));
    return { ok: false, summary: `unreadable checker output (exit code ${run.code})` };
  }
  const errors = report.messages.filter((m) => m.type !== 'info');
  for (const m of errors) {
    let file = m.url || '(unknown file)';
    if (file.startsWith('file:')) file = path.relative(siteDir, fileURLToPath(file));
    const line = m.lastLine ?? m.firstLine;
    const where = line ? `${file}:${line}${m.firstColumn ? `:${m.firstColumn}` : ''}` : file;
    const kind = m.type === 'error' ? '' : ` [${m.type}]`;
    log(`${where}:${kind} ${oneLine(m.message, 400)}`);
    if (m.extract) log(`    ${oneLine(m.extract, 200)}`);
  }
  const ok = errors.length === 0 && run.code === 0;
  if (errors.length === 0 && run.code !== 0) log(`vnu exited with code ${run.code} without reporting an error`);
  return {
    ok,
    summary: `${files.length} pages checked, ${errors.length} errors (vnu ${report.version ?? '?'})`,
  };
}

// ---------------------------------------------------------------------------
// Browser set-up

/** A context that may only talk to the local server; other requests are aborted. */
async function newContext(browser, base, options, blocked) {
  const context = await browser.newContext({ viewport: DESKTOP_VIEWPORT, ...options });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(base) || url.startsWith('data:') || url === 'about:blank') return route.continue();
    let from = '';
    try {
      const pageUrl = route.request().frame().url();
      if (pageUrl.startsWith(base)) from = ` (requested by /${pageUrl.slice(base.length)})`;
    } catch {
      // Requests without a frame (e.g. from a service worker) have no page to name.
    }
    blocked.add(url + from);
    return route.abort('blockedbyclient');
  });
  return context;
}

/** Records same-site responses with an error status (e.g. a missing stylesheet). */
function watchBrokenResources(page, base, broken) {
  page.on('response', (response) => {
    if (response.status() >= 400 && response.url().startsWith(base)) {
      broken.add(`${response.status()} ${response.url().slice(base.length - 1)}`);
    }
  });
}

// ---------------------------------------------------------------------------
// Check: axe-core

async function checkAxe(browser, base, files, blocked, log) {
  const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const axeVersion = require('axe-core/package.json').version;
  const context = await newContext(browser, base, {}, blocked);
  const page = await context.newPage();
  const brokenResources = new Set();
  watchBrokenResources(page, base, brokenResources);

  let violationCount = 0;
  let nodeCount = 0;
  const rules = new Map();
  const review = new Map();
  for (const file of files) {
    const urlPath = '/' + urlPathForFile(file);
    await page.goto(base + urlPathForFile(file), { waitUntil: 'load' });
    await page.addScriptTag({ content: axeSource });
    const results = await page.evaluate(
      (tags) =>
        window.axe.run(document, {
          runOnly: { type: 'tag', values: tags },
          resultTypes: ['violations', 'incomplete'],
        }),
      AXE_TAGS,
    );
    for (const v of results.violations) {
      violationCount++;
      nodeCount += v.nodes.length;
      rules.set(v.id, (rules.get(v.id) ?? 0) + v.nodes.length);
      log(`${v.id} [${v.impact ?? 'n/a'}] ${urlPath} — ${v.help}`);
      for (const node of v.nodes) {
        log(`    target: ${node.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' | ')}`);
        log(`    html:   ${oneLine(node.html, 200)}`);
      }
    }
    for (const r of results.incomplete) {
      if (!review.has(r.id)) review.set(r.id, new Set());
      review.get(r.id).add(urlPath);
    }
  }
  await context.close();

  if (review.size > 0) {
    log('needs manual review (axe "incomplete"; does not fail the check):');
    for (const [id, pages] of review) log(`    ${id}: ${pages.size} page(s), e.g. ${[...pages][0]}`);
  }
  for (const entry of brokenResources) log(`warning: same-site resource failed to load: ${entry}`);
  const byRule = [...rules].map(([id, n]) => `${id}×${n}`).join(', ');
  return {
    ok: violationCount === 0,
    summary:
      `${files.length} pages checked, ${violationCount} violations on ${nodeCount} elements` +
      (byRule ? ` (${byRule})` : '') +
      ` (axe-core ${axeVersion})`,
  };
}

// ---------------------------------------------------------------------------
// Check: keyboard

/** Tabs through one page and returns a list of problems (empty if none). */
async function keyboardPage(page, url, urlPath, log) {
  await page.goto(url, { waitUntil: 'load' });
  await page.evaluate(PAGE_HELPERS);
  // Snapshot of all elements in DOM order; an element's index is its DOM position.
  const expected = await page.evaluate(() => {
    window.__a11yAll = Array.from(document.querySelectorAll('*'));
    window.scrollTo(0, 0);
    const list = [];
    window.__a11yAll.forEach((el, index) => {
      const isLink = el.matches('a[href]');
      const hasTabindex = el.hasAttribute('tabindex') && el.tabIndex >= 0;
      if ((isLink || hasTabindex) && window.__a11y.isVisible(el) && !el.closest('[inert]')) {
        list.push({ index, description: window.__a11y.describe(el) });
      }
    });
    return list;
  });

  const problems = [];
  const stops = [];
  const maxPresses = expected.length * 2 + 20;
  let ended = 'limit';
  for (let press = 0; press < maxPresses; press++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const el = document.activeElement;
      if (!document.hasFocus() || !el || el === document.body || el === document.documentElement) {
        return null;
      }
      const style = getComputedStyle(el);
      return {
        index: window.__a11yAll.indexOf(el),
        description: window.__a11y.describe(el),
        outlineStyle: style.outlineStyle,
        outlineWidth: style.outlineWidth,
        boxShadow: style.boxShadow,
      };
    });
    if (stop === null) {
      ended = 'left the page';
      break;
    }
    if (stops.length > 0 && stop.index === stops[0].index) {
      ended = 'wrapped to the first element';
      break;
    }
    stops.push(stop);
  }
  if (ended === 'limit') {
    problems.push(`focus neither wrapped nor left the page after ${maxPresses} Tab presses (focus trap?)`);
  }

  // Every visible link and tabindex>=0 element must be reached.
  const reached = new Set(stops.map((s) => s.index));
  for (const e of expected) {
    if (!reached.has(e.index)) problems.push(`not reachable with Tab: ${e.description}`);
  }
  // The whole focus sequence must follow DOM order.
  for (let i = 1; i < stops.length; i++) {
    if (stops[i].index <= stops[i - 1].index) {
      problems.push(
        `focus order differs from DOM order at stop ${i + 1}: ${stops[i].description} comes after ${stops[i - 1].description}`,
      );
    }
  }
  // Every focused element needs a visible focus indicator.
  for (const [i, s] of stops.entries()) {
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadow = s.boxShadow && s.boxShadow !== 'none';
    if (!outline && !shadow) {
      problems.push(
        `no visible focus indicator at stop ${i + 1}: ${s.description} (outline: ${s.outlineStyle} ${s.outlineWidth}, box-shadow: ${s.boxShadow})`,
      );
    }
  }

  const extra = stops.filter((s) => !expected.some((e) => e.index === s.index));
  log(
    `${urlPath}: ${stops.length} Tab stops (${expected.length} expected links/tabindex elements` +
      (extra.length ? `, ${extra.length} other focusable` : '') +
      `), focus ${ended}`,
  );
  for (const s of extra) log(`    other focusable element reached: ${s.description}`);
  for (const p of problems) log(`    FAIL ${p}`);
  return { problems, stops: stops.length };
}

async function checkKeyboard(browser, base, files, blocked, log) {
  const targets = ['index.html'];
  const project = files.find((f) => /^projects\/[^/]+\/index\.html$/.test(f));
  if (project) targets.push(project);
  else log('warning: no projects/*/index.html page found');

  const context = await newContext(browser, base, {}, blocked);
  const page = await context.newPage();
  let problemCount = 0;
  let stopCount = 0;
  for (const file of targets) {
    if (!files.includes(file)) {
      log(`${file}: missing`);
      problemCount++;
      continue;
    }
    const result = await keyboardPage(page, base + urlPathForFile(file), '/' + urlPathForFile(file), log);
    problemCount += result.problems.length;
    stopCount += result.stops;
  }
  await context.close();
  return {
    ok: problemCount === 0 && targets.length === 2,
    summary: `${targets.length} pages checked, ${stopCount} Tab stops, ${problemCount} problems`,
  };
}

// ---------------------------------------------------------------------------
// Check: navigation without JavaScript

async function checkNoJs(browser, base, files, blocked, log) {
  const context = await newContext(browser, base, { javaScriptEnabled: false }, blocked);
  const page = await context.newPage();
  const origin = new URL(base).origin;

  const reached = new Set();
  const broken = [];
  let otherLinks = 0;
  const seen = new Map([[base, '(start)']]); // URL -> page that first linked to it
  const queue = [base];
  while (queue.length > 0) {
    const url = queue.shift();
    const pathname = new URL(url).pathname;
    const looksLikePage = pathname.endsWith('/') || pathname.endsWith('.html') || !path.posix.extname(pathname);
    if (!looksLikePage) {
      // A download such as a CSV file: make sure it exists, but do not open it.
      otherLinks++;
      const response = await fetch(url, { method: 'HEAD' });
      if (!response.ok) broken.push(`${response.status} ${pathname} (linked from ${seen.get(url)})`);
      continue;
    }
    const response = await page.goto(url, { waitUntil: 'domcontentloaded' });
    if (!response || !response.ok()) {
      broken.push(`${response ? response.status() : 'no response'} ${pathname} (linked from ${seen.get(url)})`);
      continue;
    }
    const finalPath = new URL(page.url()).pathname;
    if (!(response.headers()['content-type'] ?? '').startsWith('text/html')) continue;
    reached.add(fileForUrlPath(finalPath));
    const hrefs = await page.$$eval('a[href]', (links) => links.map((a) => a.href));
    for (const href of hrefs) {
      let target;
      try {
        target = new URL(href);
      } catch {
        continue;
      }
      if (target.origin !== origin) continue;
      target.hash = '';
      target.search = '';
      const key = target.href;
      if (!seen.has(key)) {
        seen.set(key, finalPath);
        queue.push(key);
      }
    }
  }
  await context.close();

  const expected = files.filter((f) => !NOT_LINKED_ON_PURPOSE.has(f));
  const unreachable = expected.filter((f) => !reached.has(f));
  for (const f of files) {
    if (NOT_LINKED_ON_PURPOSE.has(f)) log(`not required to be linked: ${f}${reached.has(f) ? ' (reached anyway)' : ''}`);
  }
  for (const f of unreachable) log(`not reachable by links from the home page: ${f}`);
  for (const b of broken) log(`broken same-site link: ${b}`);
  return {
    ok: unreachable.length === 0 && broken.length === 0,
    summary:
      `${expected.filter((f) => reached.has(f)).length} of ${expected.length} pages reached by links with JavaScript off, ` +
      `${unreachable.length} unreachable, ${otherLinks} other same-site files linked, ${broken.length} broken links`,
  };
}

// ---------------------------------------------------------------------------
// Check: reflow at 320 px

async function checkReflow(browser, base, files, blocked, log) {
  const context = await newContext(browser, base, { viewport: { width: REFLOW_WIDTH, height: 640 } }, blocked);
  const page = await context.newPage();
  const offenders = [];
  for (const file of files) {
    const urlPath = '/' + urlPathForFile(file);
    await page.goto(base + urlPathForFile(file), { waitUntil: 'load' });
    await page.evaluate(PAGE_HELPERS);
    const result = await page.evaluate((limit) => {
      const root = document.documentElement;
      const scrollWidth = root.scrollWidth;
      const culprits = [];
      if (scrollWidth > limit) {
        // Elements sticking out of the viewport whose parent does not, and that
        // are not inside a container which scrolls or clips horizontally.
        const sticksOut = (el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && (r.right > limit + 0.5 || r.left < -0.5);
        };
        const clipped = (el) => {
          for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== 'visible') return true;
          }
          return false;
        };
        for (const el of document.body.querySelectorAll('*')) {
          if (culprits.length >= 5) break;
          if (!sticksOut(el) || clipped(el)) continue;
          const parent = el.parentElement;
          if (parent && parent !== document.body && sticksOut(parent)) continue;
          const r = el.getBoundingClientRect();
          culprits.push(`${window.__a11y.describe(el)} (left ${Math.round(r.left)}, right ${Math.round(r.right)})`);
        }
      }
      return { scrollWidth, culprits };
    }, REFLOW_WIDTH);
    if (result.scrollWidth > REFLOW_WIDTH) {
      offenders.push(urlPath);
      log(`${urlPath}: page is ${result.scrollWidth}px wide at a ${REFLOW_WIDTH}px viewport`);
      for (const c of result.culprits) log(`    overflowing: ${c}`);
    }
  }
  await context.close();
  return {
    ok: offenders.length === 0,
    summary: `${files.length} pages checked at ${REFLOW_WIDTH}px, ${offenders.length} scroll sideways`,
  };
}

// ---------------------------------------------------------------------------
// Check: tables that fit

async function checkTables(browser, base, files, blocked, log) {
  const problems = [];
  let cells = 0;
  let budgets = 0;
  let grids = 0;
  for (const width of TABLE_WIDTHS) {
    const context = await newContext(browser, base, { viewport: { width, height: 800 } }, blocked);
    const page = await context.newPage();
    for (const file of files) {
      const urlPath = '/' + urlPathForFile(file);
      await page.goto(base + urlPathForFile(file), { waitUntil: 'load' });
      await page.evaluate(PAGE_HELPERS);
      const result = await page.evaluate(async (phone) => {
        const found = [];
        const visible = (el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
        };
        let cellCount = 0;
        for (const cell of document.querySelectorAll('th, td')) {
          if (!visible(cell) || cell.closest('thead') && getComputedStyle(cell.closest('thead')).position === 'absolute') continue;
          cellCount += 1;
          // The room for text: the cell's width less its padding and borders.
          const style = getComputedStyle(cell);
          const fontSize = parseFloat(style.fontSize);
          const inner = cell.getBoundingClientRect().width - ['paddingLeft', 'paddingRight', 'borderLeftWidth', 'borderRightWidth']
            .reduce((sum, key) => sum + parseFloat(style[key]), 0);
          if (inner < 2 * fontSize - 0.5) found.push(`cell ${window.__a11y.describe(cell)} has ${inner.toFixed(1)}px for text (font ${fontSize}px)`);
        }
        let budgetCount = 0;
        if (phone) {
          for (const row of document.querySelectorAll('table.projects tbody tr')) {
            if (!visible(row)) continue;
            const budget = row.querySelector('td.num');
            if (!budget) continue;
            budgetCount += 1;
            const r = budget.getBoundingClientRect();
            if (r.right > window.innerWidth + 0.5 || r.left < -0.5) {
              found.push(`budget of 「${row.querySelector('th').textContent.trim().slice(0, 20)}」 is outside the viewport (left ${Math.round(r.left)}, right ${Math.round(r.right)})`);
            }
          }
        }
        let gridCount = 0;
        for (const scroller of document.querySelectorAll('.table-scroll')) {
          if (scroller.scrollWidth <= scroller.clientWidth + 1) continue;
          const header = scroller.querySelector('tbody th[scope="row"]');
          if (!header || !scroller.querySelector('table.roadmap, table.timeline')) continue;
          gridCount += 1;
          scroller.scrollLeft = scroller.scrollWidth;
          await new Promise((resolve) => requestAnimationFrame(resolve));
          const box = scroller.getBoundingClientRect();
          const r = header.getBoundingClientRect();
          if (r.left < box.left - 0.5 || r.right > box.right + 0.5) {
            found.push(`row names of ${window.__a11y.describe(scroller)} scroll out of view (left ${Math.round(r.left)})`);
          }
          scroller.scrollLeft = 0;
        }
        return { found, cellCount, budgetCount, gridCount };
      }, width < 640);
      cells += result.cellCount;
      budgets += result.budgetCount;
      grids += result.gridCount;
      for (const f of result.found.slice(0, 5)) problems.push(`${width}px ${urlPath}: ${f}`);
      if (result.found.length > 5) problems.push(`${width}px ${urlPath}: … ${result.found.length - 5} more`);
    }
    await context.close();
  }
  for (const p of problems) log(p);
  return {
    ok: problems.length === 0 && budgets > 0 && cells > 0,
    summary: `${cells} table cells at ${TABLE_WIDTHS.join(', ')} px, ${budgets} budgets on phone widths, ${grids} sideways-scrolling grids: ${problems.length} problems`,
  };
}

// ---------------------------------------------------------------------------
// Check: print

// Node 20 has no Promise.withResolvers, which pdf.js uses.
if (!Promise.withResolvers) {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new Promise((a, b) => { resolve = a; reject = b; });
    return { promise, resolve, reject };
  };
}

// A4 less the 12 mm margins of the theme's @page, in CSS px (96 per inch).
const PRINT_PAGE = { width: Math.round((210 - 24) / 25.4 * 96), height: Math.round((297 - 24) / 25.4 * 96) };

/**
 * Text as pdf.js reads it back from a PDF and as the DOM has it, made comparable: NFKC (the fonts
 * map some kanji to Kangxi radicals, which NFKC folds back), no white space, and the characters
 * NFKC cannot fold (CJK Radicals Supplement, such as ⻘ for 青) left as a wildcard, \0.
 */
function printedText(text) {
  return text.normalize('NFKC').replace(/\s+/gu, '').replace(/[\u2E80-\u2EFF]/gu, '\0').replace(/\u2027/gu, '・');
}

/** Whether `needle` (DOM text) occurs in `haystack` (printed text), a \0 there matching any kanji. */
function printedIncludes(haystack, needle) {
  const pattern = [...printedText(needle)]
    .map((c) => (/\p{Script=Han}/u.test(c) ? `[${c}\\0]` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(pattern, 'u').test(haystack);
}

async function checkPrint(browser, base, files, blocked, log) {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const targets = files.filter((f) => /^projects\/[^/]+\/index\.html$/.test(f) || f === 'timeline/index.html' || f === 'index.html');
  const context = await newContext(browser, base, { viewport: { width: PRINT_PAGE.width, height: 800 } }, blocked);
  const page = await context.newPage();
  const problems = [];
  let printedPages = 0;
  let groups = 0;
  for (const file of targets) {
    const urlPath = '/' + urlPathForFile(file);
    await page.goto(base + urlPathForFile(file), { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    const dom = await page.evaluate((pageHeight) => {
      const footer = document.querySelector('footer');
      const labels = (el) => [...el.querySelectorAll('tr')].map((tr) => tr.querySelector('th[scope="row"]')?.textContent ?? '').filter(Boolean);
      const all = document.body.textContent;
      const unique = (label) => all.split(label).length === 2;
      const rowgroups = [...document.querySelectorAll('table.roadmap tbody')]
        .filter((tbody) => tbody.getBoundingClientRect().height < pageHeight * 0.8)
        .map((tbody) => labels(tbody).filter(unique))
        .filter((l) => l.length >= 2);
      return { footer: footer ? footer.innerText : '', rowgroups };
    }, PRINT_PAGE.height);
    const pdf = await page.pdf({ preferCSSPageSize: true });
    await page.emulateMedia({ media: 'screen' });
    const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), verbosity: 0 }).promise;
    const texts = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const content = await (await doc.getPage(i)).getTextContent();
      texts.push(printedText(content.items.map((item) => item.str).join('')));
    }
    await doc.cleanup();
    printedPages += texts.length;
    const last = texts[texts.length - 1] ?? '';
    if (texts.length > 1 && printedIncludes(printedText(dom.footer), last.replace(/\0/g, ''))) {
      problems.push(`${urlPath}: the last of ${texts.length} printed pages holds only the footer (${oneLine(last, 60)})`);
    }
    for (const rowgroup of dom.rowgroups) {
      groups += 1;
      const pages = new Set(rowgroup.map((label) => texts.findIndex((t) => printedIncludes(t, label))));
      if (pages.has(-1)) {
        problems.push(`${urlPath}: a roadmap row is not in the PDF (${oneLine(rowgroup.find((l) => !texts.some((t) => printedIncludes(t, l))), 40)})`);
      } else if (pages.size > 1) {
        problems.push(`${urlPath}: the rows from 「${oneLine(rowgroup[0], 30)}」 are split over pages ${[...pages].map((p) => p + 1).join(', ')}`);
      }
    }
  }
  await context.close();
  for (const p of problems) log(p);
  return {
    ok: problems.length === 0 && printedPages > 0 && groups > 0,
    summary: `${targets.length} pages printed to ${printedPages} A4 pages, ${groups} roadmap rowgroups: ${problems.length} problems`,
  };
}

// ---------------------------------------------------------------------------
// Screenshots (not a check)

function screenshotTargets(files) {
  const first = (re) => files.find((f) => re.test(f));
  return [
    ['home', first(/^index\.html$/)],
    ['project', first(/^projects\/[^/]+\/index\.html$/)],
    ['fields-index', first(/^fields\/index\.html$/)],
    ['field', first(/^fields\/[^/]+\/index\.html$/)],
    ['category', first(/^fields\/[^/]+\/[^/]+\/index\.html$/)],
    ['departments-index', first(/^departments\/index\.html$/)],
    ['department', first(/^departments\/[^/]+\/index\.html$/)],
    ['budget', first(/^budget\/index\.html$/)],
    ['timeline', first(/^timeline\/index\.html$/)],
    ['search', first(/^search\/index\.html$/)],
  ];
}

async function takeScreenshots(browser, base, files, dir, blocked, log) {
  await mkdir(dir, { recursive: true });
  let count = 0;
  const targets = screenshotTargets(files);
  for (const width of SCREENSHOT_WIDTHS) {
    const context = await newContext(browser, base, { viewport: { width, height: 800 } }, blocked);
    const page = await context.newPage();
    for (const [kind, file] of targets) {
      if (!file) {
        if (width === SCREENSHOT_WIDTHS[0]) log(`warning: no page of kind "${kind}" found`);
        continue;
      }
      const out = path.join(dir, `${kind}-${width}.png`);
      await page.goto(base + urlPathForFile(file), { waitUntil: 'load' });
      await page.screenshot({ path: out, fullPage: true });
      count++;
      if (width === SCREENSHOT_WIDTHS[0]) log(`${kind}: /${urlPathForFile(file)}`);
    }
    await context.close();
  }
  log(`${count} screenshots written to ${dir}`);
}

// ---------------------------------------------------------------------------
// Main

async function main() {
  const started = Date.now();
  const options = parseArgs(process.argv.slice(2));
  const siteDir = path.resolve(options.siteDir);
  const info = await stat(siteDir).catch(() => null);
  if (!info || !info.isDirectory()) usage(`${options.siteDir} is not a directory`);
  const files = await listHtmlFiles(siteDir);
  await notLinkedOnPurpose(siteDir, files);
  if (files.length === 0) usage(`no .html files under ${options.siteDir}`);
  console.log(`Checking ${files.length} HTML pages in ${siteDir}`);

  const results = new Map();
  const section = (name) => {
    console.log(`\n== ${name} ==`);
    return (line) => console.log(line);
  };
  /** Runs one check; an exception inside it fails that check only. */
  async function runCheck(name, fn) {
    if (options.only && !options.only.includes(name)) return;
    const t0 = Date.now();
    const log = section(name);
    try {
      const result = await fn(log);
      results.set(name, { ...result, ms: Date.now() - t0 });
    } catch (error) {
      log(`FAIL the check itself failed: ${error?.stack ?? error}`);
      results.set(name, { ok: false, summary: `could not run: ${oneLine(error?.message, 200)}`, ms: Date.now() - t0 });
    }
  }

  await runCheck('vnu', (log) => checkVnu(siteDir, files, log));

  const server = await serveDirectory(siteDir);
  const blocked = new Set();
  let browser = null;
  try {
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
    } catch (error) {
      console.error(`\ncould not launch Chromium at ${CHROMIUM_PATH}: ${error.message}`);
    }
    const browserChecks = [
      ['axe', checkAxe],
      ['keyboard', checkKeyboard],
      ['nojs', checkNoJs],
      ['reflow', checkReflow],
      ['tables', checkTables],
      ['print', checkPrint],
    ];
    for (const [name, fn] of browserChecks) {
      if (!browser) {
        results.set(name, { ok: false, summary: 'could not run: Chromium did not start' });
        continue;
      }
      await runCheck(name, (log) => fn(browser, server.url, files, blocked, log));
    }
    if (browser && options.screenshots) {
      const log = section('screenshots');
      try {
        await takeScreenshots(browser, server.url, files, path.resolve(options.screenshots), blocked, log);
      } catch (error) {
        log(`warning: screenshots failed: ${error?.message ?? error}`);
      }
    }
  } finally {
    if (browser) await browser.close();
    await server.close();
  }

  if (blocked.size > 0) {
    console.log('\nnote: requests to other sites were blocked:');
    for (const url of blocked) console.log(`    ${url}`);
  }

  console.log('\n== summary ==');
  let passed = 0;
  let failed = 0;
  for (const name of CHECK_NAMES) {
    if (options.only && !options.only.includes(name)) continue;
    const r = results.get(name) ?? { ok: false, summary: 'did not run' };
    if (r.ok) passed++;
    else failed++;
    const time = r.ms !== undefined ? `, ${formatDuration(r.ms)}` : '';
    console.log(`${r.ok ? 'PASS' : 'FAIL'} ${name}: ${r.summary}${time}`);
  }
  console.log(`total time ${formatDuration(Date.now() - started)}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error?.stack ?? error);
    process.exit(1);
  },
);
