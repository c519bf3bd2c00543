// Filters for the list of all projects on the home page. Without JavaScript the full list is shown and
// the form stays hidden; with it, rows are narrowed by category, department, 重点枠事業, 将来対応分 and
// "running in fiscal year X", the choice is kept in the URL, and the caption, count and subtotal
// follow; with no match the table says so in a row of its own.
(() => {
  'use strict';
  const form = document.getElementById('filters');
  const table = document.querySelector('#all-projects table');
  if (!form || !table) return;
  const status = document.getElementById('filter-status');
  const rows = Array.from(table.tBodies[0].rows);
  const countCell = table.querySelector('[data-role="count"]');
  const totalCell = table.querySelector('[data-role="total"]');
  const caption = table.caption;
  const allCaption = caption ? caption.textContent : '';
  const empty = table.tBodies[0].insertRow();
  empty.hidden = true;
  const emptyCell = document.createElement('td');
  emptyCell.colSpan = table.tHead ? table.tHead.rows[0].cells.length : 1;
  emptyCell.textContent = '条件に合う事業はありません。条件を変えるか、「条件を消す」を押してください。';
  empty.appendChild(emptyCell);
  const fields = ['category', 'department', 'year', 'priority', 'future'];

  const grouped = (n) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');

  function read() {
    const data = new FormData(form);
    const choice = {};
    for (const name of fields) choice[name] = data.get(name) || '';
    return choice;
  }

  function matches(row, choice) {
    const d = row.dataset;
    if (choice.category && d.category !== choice.category) return false;
    if (choice.department && !d.departments.split(' ').includes(choice.department)) return false;
    if (choice.priority && d.priority !== '1') return false;
    if (choice.future && d.future !== '1') return false;
    if (choice.year) {
      const year = Number(choice.year);
      const end = d.end === '' ? Infinity : Number(d.end);
      if (!(Number(d.start) <= year && year <= end)) return false;
    }
    return true;
  }

  function apply(updateUrl) {
    const choice = read();
    let count = 0;
    let total = 0;
    for (const row of rows) {
      const shown = matches(row, choice);
      row.hidden = !shown;
      if (shown) {
        count += 1;
        total += Number(row.dataset.budget);
      }
    }
    countCell.textContent = String(count);
    totalCell.textContent = grouped(total);
    const active = fields.some((name) => choice[name]);
    empty.hidden = count > 0;
    const shownCaption = active ? `条件に合う事業（${count}件）` : allCaption;
    if (caption) caption.textContent = shownCaption;
    const region = table.closest('[role="region"]');
    if (region) region.setAttribute('aria-label', shownCaption);
    if (!active) status.textContent = `すべての事業：${count}件、事業費の合計：${grouped(total)}千円`;
    else if (count === 0) status.textContent = '条件に合う事業はありません。';
    else status.textContent = `条件に合う事業：${count}件、事業費の合計：${grouped(total)}千円`;
    if (updateUrl) {
      const params = new URLSearchParams(window.location.search);
      for (const name of fields) {
        if (choice[name]) params.set(name, choice[name]);
        else params.delete(name);
      }
      const query = params.toString();
      const url = window.location.pathname + (query ? `?${query}` : '') + window.location.hash;
      window.history.replaceState(null, '', url);
    }
  }

  function restore() {
    const params = new URLSearchParams(window.location.search);
    for (const name of fields) {
      const element = form.elements.namedItem(name);
      const value = params.get(name) || '';
      if (!element) continue;
      if (element.type === 'checkbox') element.checked = value === '1';
      else if (Array.from(element.options).some((o) => o.value === value)) element.value = value;
    }
  }

  form.hidden = false;
  form.addEventListener('change', () => apply(true));
  form.addEventListener('submit', (event) => event.preventDefault());
  form.addEventListener('reset', () => window.setTimeout(() => apply(true), 0));
  restore();
  apply(false);
})();
