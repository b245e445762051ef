// The pickers the loaded table fills: the model column, the benchmark
// checklist, a long table's columns, and the family and compute columns the
// scaling views share. A view with pickers of its own (a colour column, the
// targets, the families) refills them through `onTable` and `onFamilies`.

import { $, option } from './dom.js';
import { clearError, showError } from './messages.js';
import { state } from './state.js';

// Distinct values asked per column: every family of a leaderboard.
export const LISTED_VALUES = 100;
// A text column with at most this many distinct values can group models.
const MAX_GROUPS = 60;
// Headers that look like model metadata rather than benchmark scores: numeric,
// but not ticked by default.
const METADATA = /(^|[^a-z])(size|params?|parameters|flops|tokens|compute|year|date|pretraining|release)([^a-z]|$)|パラメータ|トークン/i;
// Guesses for the metadata pickers, tried in order.
export const GUESS = {
  family: /family|group|series|organi[sz]ation|\borg\b|開発|ファミリ/i,
  flops: /flops|compute/i,
  params: /params?\b|parameters|model size|\bsize\b|パラメータ/i,
  tokens: /tokens|pretraining data|data size|トークン/i,
};

const tableHooks = [];
const familyHooks = [];
// `fn({ numericColumns, groupColumns, presets })` after the table's pickers
// are refilled.
export const onTable = (fn) => tableHooks.push(fn);
// `fn(families)` whenever the family column's values change.
export const onFamilies = (fn) => familyHooks.push(fn);

// Refills a <select> with `values`, keeping `keep` if still offered, else
// the first value matching `guess`, else `fallback`.
export function fillSelect(select, values, { keep, guess, none, fallback = '' } = {}) {
  select.replaceChildren();
  if (none !== undefined) select.append(option('', none));
  values.forEach((v) => select.append(option(v)));
  const guessed = guess ? values.find((v) => guess.test(v)) : undefined;
  select.value = values.includes(keep) ? keep : (guessed ?? fallback);
  select.disabled = values.length === 0;
}

export function checked(list) {
  return [...list.querySelectorAll('input[type=checkbox]:checked')].map((i) => i.value);
}

// Ticks exactly the boxes of `list` whose value is in `values`.
export function tick(list, values) {
  for (const box of list.querySelectorAll('input[type=checkbox]')) box.checked = values.includes(box.value);
}

// Refills a checklist with one box per value; `isChecked(value)` ticks it.
export function fillChecklist(list, values, { isChecked = () => false, dim = () => false, empty }) {
  list.replaceChildren();
  if (values.length === 0) {
    const p = document.createElement('p');
    p.className = 'hint';
    p.textContent = empty;
    list.append(p);
    return;
  }
  for (const v of values) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = v;
    box.checked = isChecked(v);
    label.append(box, ` ${v}`);
    label.title = v;
    if (dim(v)) label.classList.add('non-numeric');
    list.append(label);
  }
}

export const checkedBenchmarks = () => checked($('benchmark-list'));

export function updateBenchmarkCount() {
  $('benchmark-count').textContent = state.table ? `${checkedBenchmarks().length} selected` : '';
}

export const isLong = () => $('layout').value === 'long';

// Shows the pickers of the chosen layout ([data-layout]).
export function syncLayout() {
  for (const el of document.querySelectorAll('[data-layout]')) el.hidden = el.dataset.layout !== $('layout').value;
}

// A new table: its long-layout columns are guessed afresh.
export function forgetLongColumns() {
  $('benchmark-column').replaceChildren();
  $('score-column').replaceChildren();
}

// The distinct values of a column, in first-seen order (the first
// LISTED_VALUES of them).
const distinctValues = (column) => state.table?.examples[column] ?? [];

export function prefixMatches(prefix) {
  const model = $('model-column').value;
  return state.table ? state.table.header.filter((h) => h !== model && h.startsWith(prefix)) : [];
}

// Rebuilds every picker from the loaded table, keeping earlier choices that
// still apply; `presets` (an example's) override them.
export function refreshPickers(presets = {}) {
  const t = state.table;
  const list = $('benchmark-list');
  const header = t ? t.header : [];
  // Earlier ticks stand while some of them still name columns (an edit);
  // a different table gets the default rule.
  const ticked = list.dataset.ready ? checkedBenchmarks().filter((h) => header.includes(h)) : [];
  const previousChecked = presets.benchmarks ? new Set(presets.benchmarks)
    : (ticked.length > 0 ? new Set(ticked) : null);
  delete list.dataset.ready;
  const isNumeric = (h) => t.numeric[t.header.indexOf(h)];

  const firstText = t ? header.find((h, c) => !t.numeric[c]) : undefined;
  const long = isLong();
  fillSelect($('model-column'), header, {
    keep: presets.modelColumn ?? $('model-column').value,
    fallback: (long && header.includes('model') ? 'model' : firstText) ?? header[0] ?? '',
  });
  const model = $('model-column').value;
  // A long table's benchmark and score columns: `benchmark` and `score`
  // (the service's defaults), else the next text column and the first
  // numeric one.
  const textColumns = header.filter((h) => t && !isNumeric(h) && h !== model);
  fillSelect($('benchmark-column'), header, {
    keep: $('benchmark-column').value, fallback: header.includes('benchmark') ? 'benchmark' : (textColumns[0] ?? ''),
  });
  fillSelect($('score-column'), header, {
    keep: $('score-column').value,
    fallback: header.includes('score') ? 'score' : (header.find((h) => t && isNumeric(h)) ?? ''),
  });
  const longColumns = long ? [$('benchmark-column').value, $('score-column').value] : [];
  const others = header.filter((h) => h !== model && !longColumns.includes(h));
  fillChecklist(list, others, {
    isChecked: (h) => (previousChecked ? previousChecked.has(h) : isNumeric(h) && !METADATA.test(h)),
    dim: (h) => !isNumeric(h),
    empty: t ? 'The table has no column but the model column.' : 'Load a CSV to list its columns.',
  });
  for (const label of list.querySelectorAll('label.non-numeric')) label.title += ' (not numeric)';
  if (t) list.dataset.ready = '1';
  updateBenchmarkCount();

  // Text columns with a manageable number of distinct values: groups.
  const groupColumns = t ? others.filter((h) => !isNumeric(h) && t.distinct[h] >= 1 && t.distinct[h] <= MAX_GROUPS) : [];
  fillSelect($('family-column'), groupColumns, { keep: $('family-column').value, guess: GUESS.family, none: '(none)' });
  const numericColumns = others.filter((h) => isNumeric(h));
  for (const [id, guess] of [['flops-column', GUESS.flops], ['params-column', GUESS.params], ['tokens-column', GUESS.tokens]]) {
    fillSelect($(id), numericColumns, { keep: $(id).value, guess, none: '(none)' });
  }
  for (const hook of tableHooks) hook({ numericColumns, groupColumns, presets, loaded: Boolean(t) });
  refreshFamilies();
}

// The pickers that list the families (the values of the family column).
export function refreshFamilies() {
  const families = distinctValues($('family-column').value);
  for (const hook of familyHooks) hook(families);
}

// The benchmark checklist's own controls and the layout.
export function initPickers() {
  $('layout').addEventListener('change', () => { syncLayout(); refreshPickers(); });
  $('benchmark-column').addEventListener('change', () => refreshPickers());
  $('score-column').addEventListener('change', () => refreshPickers());
  $('model-column').addEventListener('change', () => { state.prefix = null; refreshPickers(); });
  $('benchmark-list').addEventListener('change', () => { state.prefix = null; updateBenchmarkCount(); });
  $('family-column').addEventListener('change', refreshFamilies);
  $('apply-prefix').addEventListener('click', () => {
    const prefix = $('benchmark-prefix').value;
    if (!prefix || !state.table) return;
    const matches = prefixMatches(prefix);
    if (matches.length === 0) {
      showError('No column matches the prefix', `No column name starts with “${prefix}”.`);
      return;
    }
    clearError();
    tick($('benchmark-list'), matches);
    state.prefix = prefix;
    updateBenchmarkCount();
  });
  $('benchmark-prefix').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') { ev.preventDefault(); $('apply-prefix').click(); }
  });
  $('select-all').addEventListener('click', () => {
    const t = state.table;
    if (!t) return;
    for (const box of $('benchmark-list').querySelectorAll('input[type=checkbox]')) {
      box.checked = t.numeric[t.header.indexOf(box.value)];
    }
    state.prefix = null;
    updateBenchmarkCount();
  });
  $('select-none').addEventListener('click', () => {
    tick($('benchmark-list'), []);
    state.prefix = null;
    updateBenchmarkCount();
  });
  syncLayout();
}
