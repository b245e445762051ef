// The loaded table. The page reads no table itself: the service describes
// each one (POST /v1/inspect) exactly as the analysis endpoints will read
// it, the pickers list what it answers, and the analyses post the body as
// it came (pasted CSV text, an uploaded file's bytes).

import { $ } from './dom.js';
import { clearError, setStatus, showError, showProblem } from './messages.js';
import { LISTED_VALUES, forgetLongColumns, refreshPickers, syncLayout } from './pickers.js';
import { ProblemError, post } from './requests.js';
import { state } from './state.js';

// The files the page posts as they are, by name: their content type and
// what the summary calls them. Anything else is read as CSV text.
const BINARY_TYPES = [
  [/\.parquet$/i, 'application/vnd.apache.parquet', 'Parquet'],
  [/\.arrows?$/i, 'application/vnd.apache.arrow.stream', 'Arrow stream'],
];
const DELIMITER_NAMES = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

// The table the service described: `body` as it will be posted, and per
// column (by name) whether it is numeric, its distinct count and values.
function describedTable(info, body, contentType, fileName, kind) {
  const byName = (f) => Object.fromEntries(info.columns.map((c) => [c.name, f(c)]));
  return {
    body, contentType, fileName, kind,
    binary: contentType !== 'text/csv',
    delimiter: info.delimiter ?? ',',
    layout: info.layout,
    rows: info.rows,
    header: info.columns.map((c) => c.name),
    numeric: info.columns.map((c) => c.numeric),
    distinct: byName((c) => c.distinct ?? 0),
    examples: byName((c) => c.examples.map(String)),
  };
}

// Asks the service what a table body holds (POST /v1/inspect): its
// columns (names, numeric or not, distinct values), its layout and, for
// CSV, its delimiter (`auto`: read off the header line).
function inspectTable(body, contentType, delimiter = 'auto') {
  const params = new URLSearchParams({ max_examples: String(LISTED_VALUES) });
  if (contentType === 'text/csv') params.set('delimiter', delimiter);
  return post(`/v1/inspect?${params}`, body, contentType);
}

function summarise() {
  const t = state.table;
  const format = t ? (t.binary ? t.kind : `${DELIMITER_NAMES[t.delimiter]}-separated`) : '';
  $('csv-summary').textContent = t ? `${t.rows} rows · ${t.header.length} columns · ${format}` : '';
}

// Shows a newly described table: its layout as the service guessed it,
// fresh long-layout columns, and the pickers.
function showTable(table, presets, layout) {
  state.table = table;
  state.prefix = null;
  $('layout').value = layout ?? (table?.layout === 'long' ? 'long' : 'wide');
  syncLayout();
  forgetLongColumns();
  summarise();
  refreshPickers(presets);
}

// The CSV in the text box, described by the service. Answers that an
// edit made stale are dropped; a text the service cannot read leaves no
// table, and says why.
let readSeq = 0;
function readCsvText({ fileName = state.table?.fileName ?? null, fresh = false, presets, layout } = {}) {
  const text = $('csv-input').value;
  const seq = ++readSeq;
  const reading = (async () => {
    if (!text.trim()) {
      if (seq === readSeq) showTable(null, presets, layout ?? $('layout').value);
      return;
    }
    let info;
    try {
      info = await inspectTable(text, 'text/csv', $('delimiter').value);
    } catch (err) {
      if (seq !== readSeq) return;
      state.table = null;
      refreshPickers();
      const detail = err instanceof ProblemError ? (err.problem.detail || err.problem.title) : String(err.message || err);
      $('csv-summary').textContent = `The service cannot read this CSV: ${detail}`;
      return;
    }
    if (seq !== readSeq) return;
    const table = describedTable(info, text, 'text/csv', fileName, 'CSV');
    if (fresh) showTable(table, presets, layout);
    else {
      // An edit keeps the layout and the columns picked.
      state.table = table;
      summarise();
      refreshPickers(presets);
    }
  })();
  state.reading = reading;
  return reading;
}

// Shows `text` as the loaded CSV, read afresh (`presets`: an example's
// columns; `layout`: forced instead of guessed).
export function setCsv(text, fileName, presets, layout) {
  $('csv-input').value = text;
  return readCsvText({ fileName, fresh: true, presets, layout });
}

// A Parquet file or an Arrow stream: the page never reads it, the
// service's /v1/inspect lists its columns.
async function loadBinary(file, contentType, kind) {
  const body = await file.arrayBuffer();
  readSeq += 1; // a pasted text still being described is replaced
  const info = await inspectTable(body, contentType);
  $('csv-input').value = '';
  showTable(describedTable(info, body, contentType, file.name, kind));
}

// An uploaded file, by its name: Parquet or Arrow as bytes, else CSV text.
export async function loadFile(file) {
  const binary = BINARY_TYPES.find(([name]) => name.test(file.name));
  if (binary) await loadBinary(file, binary[1], binary[2]);
  else {
    $('delimiter').value = /\.tsv$/i.test(file.name) ? 'tab' : 'auto';
    await setCsv(await file.text(), file.name);
  }
}

// An edit of the pasted CSV is described once typing pauses (or at once,
// when an analysis is asked for).
let csvEditTimer = null;
function flushCsvEdit() {
  if (csvEditTimer === null) return;
  clearTimeout(csvEditTimer);
  csvEditTimer = null;
  if (state.table) state.table.fileName = null;
  state.prefix = null;
  readCsvText({ fileName: null });
}

// The table as it stands once a paste under way is described: null when
// there is none (or the service cannot read it).
export async function currentTable() {
  flushCsvEdit();
  await state.reading;
  return state.table;
}

export function initTable() {
  $('csv-input').addEventListener('input', () => {
    clearTimeout(csvEditTimer);
    csvEditTimer = setTimeout(flushCsvEdit, 250);
  });
  $('delimiter').addEventListener('change', () => { if (!state.table?.binary) readCsvText(); });
  $('file-input').addEventListener('change', async (ev) => {
    const file = ev.target.files && ev.target.files[0];
    if (!file) return;
    clearError();
    try {
      await loadFile(file);
      setStatus(`Loaded ${file.name}. Pick the columns, then run the analysis.`);
    } catch (err) {
      if (err instanceof ProblemError) showProblem(err.problem);
      else showError('The file could not be read', String(err.message || err));
    }
    ev.target.value = '';
  });
  if ($('csv-input').value.trim()) readCsvText({ fresh: true });
}
