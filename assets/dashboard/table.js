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
    lmEval: null, // lm-eval results: the service's description of them
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
  if (t?.lmEval) {
    const columns = t.lmEval.tasks.filter((task) => task.column).length;
    $('csv-summary').textContent = `${t.rows} models · ${columns} task columns · ${t.lmEval.documents} results documents`;
  } else {
    const format = t ? (t.binary ? t.kind : `${DELIMITER_NAMES[t.delimiter]}-separated`) : '';
    $('csv-summary').textContent = t ? `${t.rows} rows · ${t.header.length} columns · ${format}` : '';
  }
  listTasks(t?.lmEval);
}

// The tasks of lm-eval results, as the service read them: each task's
// metric and filter (the default rule's, or as `metrics` names them), its
// group, how many models have it; subtasks a group stands for are dimmed.
function listTasks(lmEval) {
  const box = $('lm-eval-tasks');
  box.hidden = !lmEval;
  const body = box.querySelector('tbody');
  body.replaceChildren();
  if (!lmEval) return;
  for (const task of lmEval.tasks) {
    if (!task.metric) continue;
    const row = document.createElement('tr');
    for (const text of [task.task, `${task.metric}, ${task.filter}`, task.group ?? '', String(task.models)]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      if (!task.column) cell.className = 'left-out';
      row.append(cell);
    }
    if (!task.column) row.title = 'a group above it stands for it: tick it to read it';
    body.append(row);
  }
  $('lm-eval-rule').textContent = `Default metric rule: ${lmEval.default_rule}.`;
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

// lm-evaluation-harness results: results_*.json (and .jsonl) files, never
// the harness's per-sample logs (samples_*.jsonl); a models table beside
// them gives per-model columns (family, compute).
const isResultsFile = (name) => /\.jsonl?$/i.test(name) && !/^samples_/i.test(name);
const MODELS_FILE = /^models\.(csv|tsv|parquet|arrows?)$/i;
const baseName = (file) => file.name.split('/').pop();

// Results files (and a models table) as one form, as `curl -F` sends a
// folder: a part per file, named by its path in the folder. The service
// describes the upload (/v1/inspect?format=lm_eval) and the analyses post
// the same form.
async function loadResults(results, models) {
  const form = new FormData();
  for (const file of results) form.append('f', file, file.webkitRelativePath || file.name);
  if (models) {
    const binary = BINARY_TYPES.find(([name]) => name.test(models.name));
    const type = binary ? binary[1] : 'text/csv';
    form.append('models', new Blob([await models.arrayBuffer()], { type }), models.name);
  }
  readSeq += 1; // a pasted text still being described is replaced
  const params = new URLSearchParams({ format: 'lm_eval', max_examples: String(LISTED_VALUES) });
  const info = await post(`/v1/inspect?${params}`, form, null);
  $('csv-input').value = '';
  const folder = results[0].webkitRelativePath ? results[0].webkitRelativePath.split('/')[0] : null;
  const name = folder ?? (results.length === 1 ? results[0].name : `${results.length} results files`);
  const table = describedTable(info, form, null, name, 'lm-eval results');
  table.lmEval = info.lm_eval;
  const columns = info.lm_eval.tasks.filter((task) => task.column).map((task) => task.task);
  showTable(table, { benchmarks: columns, modelColumn: info.columns[0].name }, 'wide');
}

// Files dropped or picked together: lm-eval results (with a models
// table), or one table.
export async function loadFiles(files) {
  const list = [...files];
  const results = list.filter((file) => isResultsFile(baseName(file)));
  if (results.length > 0) {
    await loadResults(results, list.find((file) => MODELS_FILE.test(baseName(file))));
  } else if (list.length === 1) {
    await loadFile(list[0]);
  } else {
    throw new Error('Several files are read as lm-evaluation-harness results (results_*.json); none is one. Upload one table, or a results folder.');
  }
}

// Every file under a dropped folder (entries of the File and Directory
// Entries API), each with its path in `webkitRelativePath`'s place.
async function entryFiles(entry, path = '') {
  if (entry.isFile) {
    const file = await new Promise((ok, fail) => entry.file(ok, fail));
    return [Object.defineProperty(file, 'webkitRelativePath', { value: `${path}${file.name}` })];
  }
  const reader = entry.createReader();
  const children = [];
  for (;;) {
    const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const nested = await Promise.all(children.map((child) => entryFiles(child, `${path}${entry.name}/`)));
  return nested.flat();
}

// What a drop holds: files, and the files of folders.
async function droppedFiles(transfer) {
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (entries.length === 0) return [...transfer.files];
  return (await Promise.all(entries.map((entry) => entryFiles(entry)))).flat();
}

// Loads picked or dropped files, saying what was loaded or why not.
async function loadPicked(files, what) {
  clearError();
  try {
    await loadFiles(files);
    setStatus(`Loaded ${what}. Pick the columns, then run the analysis.`);
  } catch (err) {
    if (err instanceof ProblemError) showProblem(err.problem);
    else showError('The files could not be read', String(err.message || err));
  }
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
  for (const id of ['file-input', 'folder-input']) {
    $(id).addEventListener('change', async (ev) => {
      const files = [...(ev.target.files ?? [])];
      if (files.length === 0) return;
      const folder = files[0].webkitRelativePath?.split('/')[0];
      await loadPicked(files, folder || (files.length === 1 ? files[0].name : `${files.length} files`));
      ev.target.value = '';
    });
  }
  // Drag and drop on the data panel: a file, several, or folders.
  const panel = $('csv-input').closest('.controls');
  panel.addEventListener('dragover', (ev) => {
    if (![...ev.dataTransfer.types].includes('Files')) return;
    ev.preventDefault();
    panel.classList.add('dropping');
  });
  panel.addEventListener('dragleave', (ev) => {
    if (!panel.contains(ev.relatedTarget)) panel.classList.remove('dropping');
  });
  panel.addEventListener('drop', async (ev) => {
    if (![...ev.dataTransfer.types].includes('Files')) return;
    ev.preventDefault();
    panel.classList.remove('dropping');
    const files = await droppedFiles(ev.dataTransfer);
    if (files.length > 0) await loadPicked(files, files.length === 1 ? files[0].name : `${files.length} files`);
  });
  if ($('csv-input').value.trim()) readCsvText({ fresh: true });
}
