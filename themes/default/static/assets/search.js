// Full-text search in the browser, over the index written by the build (src/render/search.rs).
// A query finds exactly the projects whose text contains it, both compared in search form: NFKC, lower
// case, katakana as hiragana, small kana as full-size, no long-vowel mark, no comma between digits
// (the same steps as search_form in search.rs). A term holding one spelling of a variant group
// (meta.variants: こども／子ども／子供) also looks for the group's other spellings. Several
// space-separated terms mean AND. Gram shards narrow the candidates on large sites; every candidate
// is confirmed by substring search. The query is kept in the URL (?q=) and in the page title.
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

  const SMALL_KANA = {
    'ぁ': 'あ', 'ぃ': 'い', 'ぅ': 'う', 'ぇ': 'え', 'ぉ': 'お', 'っ': 'つ',
    'ゃ': 'や', 'ゅ': 'ゆ', 'ょ': 'よ', 'ゎ': 'わ', 'ゕ': 'か', 'ゖ': 'け',
  };
  const isDigit = (c) => c !== undefined && c >= '0' && c <= '9';

  // One character folded: katakana as hiragana, small kana as full-size, 'ー' left out ('').
  function foldKana(c) {
    if (c === 'ー') return '';
    const code = c.codePointAt(0);
    const hiragana = code >= 0x30a1 && code <= 0x30f6 ? String.fromCodePoint(code - 0x60) : c;
    return SMALL_KANA[hiragana] || hiragana;
  }

  // As fold in search.rs: kana folded, a comma between two digits left out.
  function fold(text) {
    const chars = Array.from(text);
    let out = '';
    for (let i = 0; i < chars.length; i += 1) {
      if (chars[i] === ',' && isDigit(out[out.length - 1]) && isDigit(chars[i + 1])) continue;
      out += foldKana(chars[i]);
    }
    return out;
  }

  const searchForm = (s) => fold(normalize(s));

  // As Variants::alternatives in search.rs: the term, then for each group whose spelling it holds
  // (the longest one), the term with that spelling replaced by each other spelling of the group.
  const MAX_ALTERNATIVES = 16;
  function alternatives(term, groups) {
    let out = [term];
    for (const group of groups) {
      let held = null;
      for (const spelling of group) {
        if (term.includes(spelling) && (held === null || Array.from(spelling).length > Array.from(held).length)) held = spelling;
      }
      if (held === null) continue;
      const expanded = [];
      for (const known of out) {
        for (const spelling of group) {
          const alternative = known.split(held).join(spelling);
          if (!out.includes(alternative) && !expanded.includes(alternative)) expanded.push(alternative);
        }
      }
      out = out.concat(expanded).slice(0, MAX_ALTERNATIVES);
    }
    return out;
  }

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
    if (!normalized.has(doc)) normalized.set(doc, { n: searchForm(doc.n), t: searchForm(doc.t) });
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

  // The documents holding every gram of a spelling.
  async function holding(meta, spelling) {
    let result = null;
    for (const gram of grams(spelling)) {
      const shard = await getJson(`search/grams/${hash(gram) % meta.shards}.json`);
      const ids = shard[gram] || [];
      result = result === null ? ids.slice() : intersect(result, ids);
      if (result.length === 0) break;
    }
    return result;
  }

  // The documents that may hold every term (a term: any of its alternatives), ascending.
  async function candidates(meta, terms) {
    const all = Array.from({ length: meta.docs }, (_, i) => i);
    if (meta.shards === 0) return all;
    let result = null;
    for (const alts of terms) {
      const union = new Set();
      for (const spelling of alts) {
        const ids = await holding(meta, spelling);
        (ids === null ? all : ids).forEach((id) => union.add(id));
      }
      const ids = Array.from(union).sort((a, b) => a - b);
      result = result === null ? ids : intersect(result, ids);
      if (result.length === 0) return result;
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

  // Finds a term (any of its alternatives) in the original text through a per-character search
  // form, so the match can be marked in the text as written (「ＩＣＴ」 for "ict", 「ドローン」 for
  // 「どろーん」, 「77,952」 for 「77952」).
  function locate(text, alts) {
    const chars = Array.from(text);
    let joined = '';
    const starts = [];
    for (let i = 0; i < chars.length; i += 1) {
      starts.push(joined.length);
      const next = chars[i + 1] === undefined ? undefined : normalize(chars[i + 1])[0];
      const c = normalize(chars[i]);
      if (c === ',' && isDigit(joined[joined.length - 1]) && isDigit(next)) continue;
      joined += Array.from(c).map(foldKana).join('');
    }
    for (const term of alts) {
      const at = joined.indexOf(term);
      if (at === -1) continue;
      let first = 0;
      while (first + 1 < starts.length && starts[first + 1] <= at) first += 1;
      let last = first;
      while (last < starts.length && starts[last] < at + term.length) last += 1;
      return { chars, first, last };
    }
    return null;
  }

  function snippet(text, terms) {
    const body = text.replace(/\n/g, '　');
    for (const alts of terms) {
      const found = locate(body, alts);
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
  let pending = []; // candidates not yet confirmed, ascending
  let ready = []; // confirmed matches not yet shown, ranked
  let shown = []; // matches on the page, in the order shown (never re-sorted)
  let activeTerms = [];

  async function confirm(meta, ids, terms) {
    const found = [];
    const docs = await Promise.all(ids.map((id) => doc(meta, id)));
    for (const [i, id] of ids.entries()) {
      const d = docs[i];
      const text = docText(d);
      if (terms.every((alts) => alts.some((t) => text.t.includes(t)))) {
        const nameHit = terms.every((alts) => alts.some((t) => text.n.includes(t)));
        const hits = terms.reduce((sum, alts) => sum + alts.reduce((n, t) => n + count(text.t, t), 0), 0);
        found.push({ doc: d, id, nameHit, hits });
      }
    }
    return found;
  }

  function rank(results) {
    return results.sort((a, b) => (b.nameHit - a.nameHit) || (b.hits - a.hits) || (a.id - b.id));
  }

  // Shows the next page of matches. A small site's documents are one download, so every match is
  // confirmed and ranked before the first page; a large site's are confirmed a page of candidates at
  // a time, and ranked among those confirmed. What is shown is never re-sorted.
  async function loadMore(meta, mine) {
    while (ready.length < PAGE && pending.length > 0) {
      const batch = meta.shards === 0 ? pending.splice(0) : pending.splice(0, PAGE);
      const found = await confirm(meta, batch, activeTerms);
      if (mine !== generation) return;
      ready = rank(ready.concat(found));
    }
    shown = shown.concat(ready.splice(0, PAGE));
  }

  function report(query, started) {
    const elapsed = Math.round(performance.now() - started);
    list.dataset.elapsedMs = String(elapsed);
    const total = shown.length + ready.length;
    if (total === 0) {
      // Kanji words are found by their reading only where the vocabulary lists it: say so.
      const kanaOnly = /^[\p{Script=Hiragana}\p{Script=Katakana}ー\s]+$/u.test(query);
      status.textContent = `「${query}」を含む事業は見つかりませんでした。${kanaOnly ? '漢字で書かれた言葉は、読み（ひらがな）では見つからないことがあります。漢字でも試してください。' : ''}`;
    } else {
      const count = `${total}件${pending.length > 0 ? '以上' : ''}`;
      const part = shown.length < total || pending.length > 0 ? `、${shown.length}件を表示` : '';
      status.textContent = `「${query}」を含む事業：${count}（事業名に含むものを先に表示${part}）`;
    }
    if (more) more.hidden = ready.length === 0 && pending.length === 0;
    list.dataset.state = 'done';
  }

  const baseTitle = document.title;
  function showTitle(query) {
    document.title = query ? `「${query}」の検索結果｜${baseTitle}` : baseTitle;
  }

  async function search(query) {
    const mine = ++generation;
    const started = performance.now();
    const words = searchForm(query).split(/\s+/).filter(Boolean);
    list.dataset.state = 'searching';
    showTitle(query.trim());
    if (words.length === 0) {
      activeTerms = [];
      list.innerHTML = '';
      status.textContent = '';
      if (more) more.hidden = true;
      list.dataset.state = 'done';
      return;
    }
    try {
      const meta = await getJson('search/meta.json');
      const terms = words.map((word) => alternatives(word, meta.variants || []));
      activeTerms = terms;
      const ids = await candidates(meta, terms);
      if (mine !== generation) return;
      pending = ids;
      ready = [];
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
    keepInEditionLinks(q);
  }

  // The links to the same search in the other editions search for the same words.
  function keepInEditionLinks(q) {
    document.querySelectorAll('a[data-keep-query]').forEach((a) => {
      a.search = q ? `?${q}` : '';
    });
  }

  // While an IME is composing (い→いり→いりょう), the text is not yet what the reader means:
  // nothing is searched, announced or written to the URL until the composition ends.
  let timer = 0;
  function searchSoon() {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      keepInUrl(input.value);
      search(input.value);
    }, 120);
  }
  input.addEventListener('input', (event) => {
    if (event.isComposing) return;
    searchSoon();
  });
  input.addEventListener('compositionend', searchSoon);
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
  keepInEditionLinks(new URLSearchParams(window.location.search).toString());
  if (initial) search(initial);
})();
