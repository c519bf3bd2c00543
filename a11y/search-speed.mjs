#!/usr/bin/env node
// What one search costs a reader on a slow phone connection: the bytes the search page downloads
// and the time from opening /search/?q=… to the first result (or to 「見つかりませんでした」), on
// Chrome DevTools' "Fast 3G" profile (562.5 ms latency, 1.44 Mbit/s down). A measurement for
// bench/README.md, not a check: it fails only when the page never finishes a search.
//
// Usage: node search-speed.mjs <site-dir> [query …]   (each query is run 3 times, the median kept)

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { serveDirectory } from './server.mjs';

const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: 180000, uploadThroughput: 84375 };
const RUNS = 3;
const DEFAULT_QUERIES = ['医療', 'どろーん', '77952', '子供', 'デジタル', 'の'];

const [siteDir, ...given] = process.argv.slice(2);
if (!siteDir) {
  console.error('usage: node search-speed.mjs <site-dir> [query …]');
  process.exit(2);
}
const queries = given.length > 0 ? given : DEFAULT_QUERIES;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One search on a fresh, throttled browser context: bytes by kind and milliseconds to results. */
async function measure(browser, base, query) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', FAST_3G);
  const urls = new Map();
  const transfers = [];
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
  cdp.on('Network.loadingFinished', (e) => transfers.push({ url: urls.get(e.requestId) ?? '', bytes: e.encodedDataLength }));
  const started = Date.now();
  await page.goto(`${base}search/?q=${encodeURIComponent(query)}`, { waitUntil: 'commit' });
  await page.waitForSelector('#search-results[data-state="done"]', { state: 'attached', timeout: 120000 });
  const elapsed = Date.now() - started;
  const results = await page.$$eval('#search-results .result-title a', (links) => links.length);
  await context.close();
  const searchData = transfers.filter((t) => /\/search\/.*\.json$/.test(new URL(t.url, base).pathname));
  return {
    elapsed,
    results,
    total: transfers.reduce((s, t) => s + t.bytes, 0),
    data: searchData.reduce((s, t) => s + t.bytes, 0),
    files: searchData.map((t) => new URL(t.url, base).pathname),
  };
}

/** The gzip size of the search files a query fetched, as a host that compresses JSON would send them. */
async function gzipBytes(files, base) {
  let sum = 0;
  const prefix = new URL(base).pathname;
  for (const file of files) {
    const relative = decodeURIComponent(file.slice(prefix.length));
    sum += gzipSync(await readFile(path.join(siteDir, relative)), { level: 6 }).length;
  }
  return sum;
}

const server = await serveDirectory(path.resolve(siteDir));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  console.log('| query | results shown | page bytes (all files) | search data bytes | search data gzip | time to results, Fast 3G (median of 3) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const query of queries) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await measure(browser, server.url, query));
    const last = runs[runs.length - 1];
    const gz = await gzipBytes(last.files, server.url);
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    console.log(`| ${query} | ${last.results} | ${kb(last.total)} | ${kb(last.data)} | ${kb(gz)} | ${median(runs.map((r) => r.elapsed))} ms |`);
  }
} finally {
  await browser.close();
  await server.close();
}
