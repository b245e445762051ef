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

// A plain table: `columns` are {label, num, format}, `rows` arrays of
// cells (numbers are written with four decimals, as the projections are,
// unless the column has its own format).
export function simpleTable(columns, rows) {
  const table = document.createElement('table');
  const hr = table.createTHead().insertRow();
  for (const c of columns) {
    const th = element('th', c.num ? 'num' : '', c.label);
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
        td.className = i === 0 ? 'model' : '';
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
