// Small DOM helpers shared by every module of the page.

export const $ = (id) => document.getElementById(id);

export function option(value, label) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label ?? value;
  return o;
}

export function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

export function smallButton(testid, label, onClick, title) {
  const b = element('button', 'secondary small', label);
  b.type = 'button';
  b.dataset.testid = testid;
  if (title) b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

// A view's output box (`[data-testid="VIEW-output"]`).
export const outputOf = (view) => document.querySelector(`[data-testid="${view}-output"]`);

// A toolbar: the summary text, then `buttons` pushed to the right.
export function toolbar(summaryText, ...buttons) {
  const bar = element('div', 'toolbar');
  bar.append(element('span', 'summary', summaryText), element('span', 'spacer'), ...buttons);
  return bar;
}

// Fixed decimals, without a "-0.00" for a tiny negative value.
export const fixed = (v, digits) => {
  if (!Number.isFinite(v)) return '–';
  const s = v.toFixed(digits);
  return Number(s) === 0 ? (0).toFixed(digits) : s;
};
export const pct = (v, digits = 1) => `${(100 * v).toFixed(digits)}%`;
export const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// A plain table: `columns` are {label, num, format, wrap}, `rows` arrays
// of cells (numbers are written with four decimals, as the projections are,
// unless the column has its own format; a `wrap` column's text wraps).
export function simpleTable(columns, rows) {
  const table = document.createElement('table');
  const hr = table.createTHead().insertRow();
  for (const c of columns) {
    const th = element('th', c.num ? 'num' : (c.wrap ? 'wrap' : ''), c.label);
    th.scope = 'col';
    hr.append(th);
  }
  const tbody = table.createTBody();
  for (const row of rows) {
    const tr = tbody.insertRow();
    row.forEach((cell, i) => {
      const td = tr.insertCell();
      if (columns[i].num) {
        td.className = 'num';
        const format = columns[i].format ?? ((v) => fixed(v, 4));
        td.textContent = typeof cell === 'number' ? format(cell) : '–';
      } else {
        td.className = columns[i].wrap ? 'wrap' : (i === 0 ? 'model' : '');
        td.textContent = cell;
        td.title = cell;
      }
    });
  }
  return table;
}

// A titled panel holding `table`, its scroll box named `testid`.
export function tablePanel(title, hint, testid, table) {
  const panel = element('section', 'panel table-panel');
  const head = element('div', 'row spread');
  head.append(element('h3', '', title), element('span', 'hint', hint));
  const scroll = element('div', 'table-scroll');
  scroll.dataset.testid = testid;
  scroll.append(table);
  panel.append(head, scroll);
  return panel;
}

// Text sorts naturally ("model-9" before "model-10"); one collator, as
// building one per comparison is slow on tables of thousands of rows.
const naturalOrder = new Intl.Collator(undefined, { numeric: true });

// A table sorted by a click on a column header (again: the other way).
// `columns` are {key, label, num, value(i), cell(td, i)?}: `value` sorts
// (numbers as numbers, text naturally), `cell` fills a cell (default: the
// value, numbers with four decimals). Rows are 0..n-1; `sort` ({key, dir})
// is the state, kept by the caller and updated in place before `redraw()`.
// `window` ({start, count}) draws only those rows of the sorted order: a
// table of thousands of rows is shown a page at a time.
export function sortableTable(columns, n, sort, redraw, { start = 0, count = n } = {}) {
  const col = columns.find((c) => c.key === sort.key) || columns[0];
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => {
    const va = col.value(a);
    const vb = col.value(b);
    const cmp = col.num ? va - vb : naturalOrder.compare(String(va), String(vb));
    return cmp * sort.dir || a - b;
  });
  const table = document.createElement('table');
  const hr = table.createTHead().insertRow();
  for (const c of columns) {
    const th = element('th', c.num ? 'num' : '');
    th.scope = 'col';
    th.dataset.key = c.key;
    th.setAttribute('aria-sort', c.key === col.key ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none');
    const button = element('button', '', c.label);
    button.type = 'button';
    button.addEventListener('click', () => {
      Object.assign(sort, { key: c.key, dir: sort.key === c.key ? -sort.dir : 1 });
      redraw();
    });
    th.append(button);
    hr.append(th);
  }
  const tbody = table.createTBody();
  for (const i of order.slice(start, start + count)) {
    const tr = tbody.insertRow();
    tr.dataset.index = i;
    for (const c of columns) {
      const td = tr.insertCell();
      if (c.num) td.className = 'num';
      if (c.cell) c.cell(td, i);
      else td.textContent = c.num ? fixed(c.value(i), 4) : c.value(i);
    }
  }
  return table;
}
