// Full-text search in the browser, over the index written by the build (src/render/search.rs).
// A query finds exactly the projects whose text contains it (after NFKC normalisation and lower case
// on both sides); several space-separated terms mean AND. Gram shards narrow the candidates on large
// sites; every candidate is confirmed by substring search. The query is kept in the URL (?q=).
(() => {
  'use strict';
  const form = document.getElementById('search-form');
  const input = document.getElementById('search-q');
  const list = document.getElementById('search-results');
  const status = document.getElementById('search-status');
  const more = document.getElementById('search-more');
  if (!form || !input || !list || !status) return;
  const root = list.dataset.root || './';
  const PAGE = 20;

  const normalize = (s) => s.normalize('NFKC').toLowerCase();

  // FNV-1a over UTF-8 bytes, as gram_hash in search.rs.
  const encoder = new TextEncoder();
  function hash(gram) {
    let h = 0x811c9dc5;
    for (const byte of encoder.encode(gram)) {
      h ^= byte;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }

  const cache = new Map();
  function getJson(path) {
    if (!cache.has(path)) {
      cache.set(path, fetch(root + path).then((r) => {
        if (!r.ok) throw new Error(`${path}: ${r.status}`);
        return r.json();
      }));
    }
    return cache.get(path);
  }

  const normalized = new Map();
  function docText(doc) {
    if (!normalized.has(doc)) normalized.set(doc, { n: normalize(doc.n), t: normalize(doc.t) });
    return normalized.get(doc);
  }

  // The grams whose postings narrow a term: the character itself, or every pair of neighbours.
  function grams(term) {
    const chars = Array.from(term);
    if (chars.length === 1) return chars;
    const out = new Set();
    for (let i = 0; i + 1 < chars.length; i += 1) out.add(chars[i] + chars[i + 1]);
    return Array.from(out);
  }

  function intersect(a, b) {
    const set = new Set(b);
    return a.filter((x) => set.has(x));
  }

  async function candidates(meta, terms) {
    const all = Array.from({ length: meta.docs }, (_, i) => i);
    if (meta.shards === 0) return all;
    let result = null;
    for (const term of terms) {
      for (const gram of grams(term)) {
        const shard = await getJson(`search/grams/${hash(gram) % meta.shards}.json`);
        const ids = shard[gram] || [];
        result = result === null ? ids.slice() : intersect(result, ids);
        if (result.length === 0) return result;
      }
    }
    return result === null ? all : result;
  }

  async function doc(meta, id) {
    const chunk = await getJson(`search/docs/${Math.floor(id / meta.chunk)}.json`);
    return chunk[id % meta.chunk];
  }

  function count(haystack, needle) {
    let n = 0;
    for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) n += 1;
    return n;
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  }

  // Finds a term in the original text through a per-character normalisation, so the match can be
  // marked in the text as written (「ＩＣＴ」 for the query "ict").
  function locate(text, term) {
    const chars = Array.from(text);
    let joined = '';
    const starts = [];
    for (const c of chars) {
      starts.push(joined.length);
      joined += normalize(c);
    }
    const at = joined.indexOf(term);
    if (at === -1) return null;
    let first = 0;
    while (first + 1 < starts.length && starts[first + 1] <= at) first += 1;
    let last = first;
    while (last < starts.length && starts[last] < at + term.length) last += 1;
    return { chars, first, last };
  }

  function snippet(text, terms) {
    const body = text.replace(/\n/g, '　');
    for (const term of terms) {
      const found = locate(body, term);
      if (!found) continue;
      const { chars, first, last } = found;
      const from = Math.max(0, first - 30);
      const to = Math.min(chars.length, last + 50);
      return (from > 0 ? '…' : '') + escapeHtml(chars.slice(from, first).join('')) +
        '<mark>' + escapeHtml(chars.slice(first, last).join('')) + '</mark>' +
        escapeHtml(chars.slice(last, to).join('')) + (to < chars.length ? '…' : '');
    }
    return escapeHtml(Array.from(body).slice(0, 80).join('')) + '…';
  }

  function render(results, terms) {
    list.innerHTML = results.map(({ doc: d }) => `<li>
<h2 class="result-title"><a href="${root}${d.u}">${escapeHtml(d.n)}</a></h2>
<p class="result-meta">${escapeHtml(d.c)}・${escapeHtml(d.d)}・事業費 ${escapeHtml(d.b)}千円</p>
<p class="result-snippet">${snippet(d.t, terms)}</p>
</li>`).join('');
  }

  let generation = 0;
  let pending = [];
  let shown = [];
  let activeTerms = [];

  async function confirm(meta, ids, terms) {
    const found = [];
    const docs = await Promise.all(ids.map((id) => doc(meta, id)));
    for (const [i, id] of ids.entries()) {
      const d = docs[i];
      const text = docText(d);
      if (terms.every((t) => text.t.includes(t))) {
        const nameHit = terms.every((t) => text.n.includes(t));
        const hits = terms.reduce((sum, t) => sum + count(text.t, t), 0);
        found.push({ doc: d, id, nameHit, hits });
      }
    }
    return found;
  }

  function rank(results) {
    return results.sort((a, b) => (b.nameHit - a.nameHit) || (b.hits - a.hits) || (a.id - b.id));
  }

  async function loadMore(meta, mine) {
    while (pending.length > 0 && mine === generation) {
      const batch = pending.splice(0, PAGE);
      const found = await confirm(meta, batch, activeTerms);
      if (mine !== generation) return;
      shown = rank(shown.concat(found));
      if (found.length > 0 && shown.length >= PAGE) break;
    }
  }

  function report(query, started) {
    const elapsed = Math.round(performance.now() - started);
    list.dataset.elapsedMs = String(elapsed);
    if (shown.length === 0) {
      status.textContent = `「${query}」を含む事業は見つかりませんでした。`;
    } else {
      status.textContent = `「${query}」を含む事業：${shown.length}件${pending.length > 0 ? '以上' : ''}（事業名に含むものを先に表示）`;
    }
    if (more) more.hidden = pending.length === 0;
    list.dataset.state = 'done';
  }

  async function search(query) {
    const mine = ++generation;
    const started = performance.now();
    const terms = normalize(query).split(/\s+/).filter(Boolean);
    activeTerms = terms;
    list.dataset.state = 'searching';
    if (terms.length === 0) {
      list.innerHTML = '';
      status.textContent = '';
      if (more) more.hidden = true;
      list.dataset.state = 'done';
      return;
    }
    try {
      const meta = await getJson('search/meta.json');
      const ids = await candidates(meta, terms);
      if (mine !== generation) return;
      pending = ids;
      shown = [];
      await loadMore(meta, mine);
      if (mine !== generation) return;
      render(shown, terms);
      report(query.trim(), started);
    } catch (error) {
      status.textContent = '検索の準備ができませんでした。ページを読み込み直すか、分野・項目別や部局別の一覧からお探しください。';
      list.dataset.state = 'error';
    }
  }

  function keepInUrl(query) {
    const params = new URLSearchParams(window.location.search);
    if (query) params.set('q', query);
    else params.delete('q');
    const q = params.toString();
    window.history.replaceState(null, '', window.location.pathname + (q ? `?${q}` : ''));
  }

  let timer = 0;
  input.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      keepInUrl(input.value);
      search(input.value);
    }, 120);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    keepInUrl(input.value);
    search(input.value);
  });
  if (more) {
    more.addEventListener('click', async () => {
      const meta = await getJson('search/meta.json');
      const mine = generation;
      const started = performance.now();
      const before = shown.length;
      shown = shown.slice();
      await loadMore(meta, mine);
      if (mine !== generation) return;
      render(shown, activeTerms);
      report(input.value.trim(), started);
      const next = list.children[before];
      if (next) next.querySelector('a').focus();
    });
  }

  document.documentElement.classList.add('js');
  const initial = new URLSearchParams(window.location.search).get('q') || '';
  input.value = initial;
  if (initial) search(initial);
})();
