// #complete: the scores nobody ran, predicted (POST /v1/complete): the
// service's heatmap of the completed matrix, calibration and probe curve,
// the benchmarks a new model should run first, the method's own
// cross-validated error, and a sortable table of the predictions with
// their intervals. A sparse leaderboard has thousands of missing cells
// (BenchPress: 8,568), so the table draws one page of the sorted rows at
// a time, and a filter narrows it to a model or a benchmark.

import { drawChartSet } from '../charts.js';
import { $, element, fixed, outputOf, pct, plural, simpleTable, smallButton, sortableTable, tablePanel, toolbar } from '../dom.js';
import { baseName, downloadCsv, downloadJson } from '../downloads.js';
import { setStatus } from '../messages.js';
import { tableParams } from '../requests.js';
import { runAnalysis } from '../run.js';
import { state } from '../state.js';

// Rows of the predictions table drawn at once.
const PAGE_ROWS = 100;
// Cells without a prediction listed (the JSON download has them all).
const NOT_PREDICTED_SHOWN = 50;

// The answer shown, and the predictions table's sort, filter and page.
const view = { result: null, digits: null, sort: { key: 'model', dir: 1 }, cvSort: { key: 'benchmark', dir: 1 }, filter: '', rows: [], page: 0 };

// Decimals by a benchmark's scale (method.scales): a fraction's score
// needs four, a percentage's two, an Elo rating's or a dollar amount's one.
const DIGITS = { fraction: 4, percent: 2, unbounded: 1 };

function params() {
  const params = tableParams();
  const interval = $('complete-interval').value.trim();
  if (interval) params.set('interval', interval);
  const probes = $('complete-probes').value.trim();
  if (probes) params.set('probes', probes);
  params.set('charts', 'true');
  return params;
}

function run() {
  return runAnalysis({
    view: 'complete',
    endpoint: '/v1/complete',
    buildParams: params,
    button: $('run-complete'),
    busy: 'Predicting the missing scores and cross-validating the method…',
    show,
  }).then((ok) => {
    // No stale predictions under the message of a failed run.
    if (ok === false) {
      outputOf('complete').hidden = true;
      view.result = null;
    }
  });
}

// The indices of the predictions whose model or benchmark holds the filter
// text (any case).
function filtered() {
  const predictions = view.result.predictions;
  const needle = view.filter.trim().toLowerCase();
  const all = predictions.map((_, i) => i);
  if (!needle) return all;
  return all.filter((i) => predictions[i].model.toLowerCase().includes(needle)
    || predictions[i].benchmark.toLowerCase().includes(needle));
}

// One page of the sorted, filtered predictions, and the pager's words.
function drawPredictions() {
  const predictions = view.result.predictions;
  const rows = view.rows;
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_ROWS));
  view.page = Math.min(Math.max(view.page, 0), pages - 1);
  const at = (i) => predictions[rows[i]];
  const score = (key) => (td, i) => { td.textContent = fixed(at(i)[key], view.digits(at(i).benchmark)); };
  const columns = [
    { key: 'model', label: 'Model', value: (i) => at(i).model, cell: (td, i) => { td.className = 'model'; td.textContent = at(i).model; td.title = at(i).model; } },
    { key: 'benchmark', label: 'Benchmark', value: (i) => at(i).benchmark },
    { key: 'value', label: 'Predicted', num: true, value: (i) => at(i).value, cell: score('value') },
    { key: 'lower', label: 'Lower', num: true, value: (i) => at(i).lower, cell: score('lower') },
    { key: 'upper', label: 'Upper', num: true, value: (i) => at(i).upper, cell: score('upper') },
    {
      key: 'width', label: 'Width', num: true, value: (i) => at(i).upper - at(i).lower,
      cell: (td, i) => { td.textContent = fixed(at(i).upper - at(i).lower, view.digits(at(i).benchmark)); },
    },
  ];
  const start = view.page * PAGE_ROWS;
  const redraw = () => { view.page = 0; drawPredictions(); };
  $('complete-predictions').replaceChildren(sortableTable(columns, rows.length, view.sort, redraw, { start, count: PAGE_ROWS }));
  $('complete-page').textContent = rows.length
    ? `rows ${start + 1}–${Math.min(start + PAGE_ROWS, rows.length)} of ${rows.length}`
    : (predictions.length ? 'no prediction matches the filter' : 'nothing was missing: no predictions');
  $('complete-previous').disabled = view.page === 0;
  $('complete-next').disabled = view.page >= pages - 1;
}

// The predictions panel: the filter, the pager and the table's box.
function predictionsPanel(level) {
  const panel = element('section', 'panel table-panel');
  const head = element('div', 'row spread');
  head.append(element('h3', '', 'Predictions'), element('span', 'hint',
    `Every missing score, in its benchmark's own units, with its ${pct(level, 0)} interval. Click a column header to sort.`));
  const filter = element('input');
  Object.assign(filter, { type: 'search', id: 'complete-filter', placeholder: 'model or benchmark', autocomplete: 'off', value: view.filter });
  filter.dataset.testid = 'complete-filter';
  filter.setAttribute('aria-label', 'Show the predictions of a model or benchmark');
  filter.addEventListener('input', () => {
    view.filter = filter.value;
    view.rows = filtered();
    view.page = 0;
    drawPredictions();
  });
  const pager = element('div', 'row');
  const previous = smallButton('complete-previous', 'Previous', () => { view.page -= 1; drawPredictions(); });
  const next = smallButton('complete-next', 'Next', () => { view.page += 1; drawPredictions(); });
  previous.id = 'complete-previous';
  next.id = 'complete-next';
  const page = element('span', 'hint');
  page.id = 'complete-page';
  page.dataset.testid = 'complete-page';
  page.setAttribute('aria-live', 'polite');
  pager.append(filter, previous, next, page);
  const scroll = element('div', 'table-scroll');
  scroll.id = 'complete-predictions';
  scroll.dataset.testid = 'complete-predictions';
  panel.append(head, pager, scroll);
  return panel;
}

// The method's cross-validated error over the observed cells, in points,
// what it chose, and each benchmark's error in its own units.
function crossValidationPanel(body) {
  const cv = body.cross_validation;
  const panel = element('section', 'panel table-panel');
  panel.dataset.testid = 'complete-cv';
  const head = element('div', 'row spread');
  head.append(element('h3', '', 'The method\'s own error'), element('span', 'hint',
    'Each observed score predicted by fits that did not see it (cross-validation inside the request); '
    + 'errors in points, an Elo or dollar column\'s rescaled to the others\' spread.'));
  const table = simpleTable([
    { label: 'Cells', num: true, format: String }, { label: 'Median abs. error', num: true, format: (v) => fixed(v, 2) },
    { label: 'Mean abs. error', num: true, format: (v) => fixed(v, 2) }, { label: 'Coverage', num: true, format: (v) => pct(v) },
    { label: 'Median width', num: true, format: (v) => fixed(v, 2) },
  ], [[cv.n, cv.median_abs_error, cv.mean_abs_error, cv.coverage, cv.median_width]]);
  table.dataset.testid = 'complete-cv-summary';
  const m = body.method;
  const blend = (m.predictors ?? []).filter((p) => p.weight > 0).map((p) => `${p.name} ${fixed(p.weight, 2)}`).join(' · ');
  const byScale = {};
  for (const s of m.scales ?? []) (byScale[s.scale] ??= []).push(s.benchmark);
  const scales = Object.entries(byScale).map(([scale, names]) => `${names.length} ${scale}`
    + (scale === 'unbounded' ? ` (${names.join(', ')})` : '')).join(', ');
  const notes = element('p', 'hint');
  notes.textContent = [
    `Coverage of the ${pct(m.interval?.level ?? 0.9, 0)} intervals on ${plural(cv.n, 'cross-validated cell')}.`,
    blend ? `Blend weights: ${blend}.` : '',
    scales ? `Scales: ${scales}.` : '',
  ].filter(Boolean).join(' ');
  const scroll = element('div', 'table-scroll');
  scroll.append(table);
  panel.append(head, scroll, notes);
  return panel;
}

function perBenchmarkPanel(body) {
  const rows = body.cross_validation.per_benchmark ?? [];
  const digits = (i) => view.digits(rows[i].benchmark);
  const unit = (key) => (td, i) => { td.textContent = fixed(rows[i][key], digits(i)); };
  const columns = [
    { key: 'benchmark', label: 'Benchmark', value: (i) => rows[i].benchmark },
    { key: 'n', label: 'Cells', num: true, value: (i) => rows[i].n, cell: (td, i) => { td.textContent = String(rows[i].n); } },
    { key: 'median_abs_error', label: 'Median abs. error', num: true, value: (i) => rows[i].median_abs_error, cell: unit('median_abs_error') },
    { key: 'mean_abs_error', label: 'Mean abs. error', num: true, value: (i) => rows[i].mean_abs_error, cell: unit('mean_abs_error') },
    { key: 'coverage', label: 'Coverage', num: true, value: (i) => rows[i].coverage, cell: (td, i) => { td.textContent = pct(rows[i].coverage); } },
    { key: 'median_width', label: 'Median width', num: true, value: (i) => rows[i].median_width, cell: unit('median_width') },
  ];
  const panel = tablePanel('Error per benchmark', 'The same cross-validation, in each benchmark\'s own units.', 'complete-cv-benchmarks', element('div'));
  const box = panel.querySelector('[data-testid="complete-cv-benchmarks"]');
  const draw = () => box.replaceChildren(sortableTable(columns, rows.length, view.cvSort, draw));
  draw();
  return panel;
}

// The benchmarks for a new model to run first, in order, each with the
// error expected on the others once it and those above it are known.
function probesPanel(body) {
  const panel = element('section', 'panel table-panel');
  const head = element('div', 'row spread');
  head.append(element('h3', '', 'Which benchmarks to run first'));
  panel.append(head);
  const probes = body.probes;
  if (!probes || probes.benchmarks.length === 0) {
    panel.append(element('p', 'hint', 'Set “Probes (k)” and complete again: the service chooses the k benchmarks '
      + 'that predict a new model\'s other scores best, in order.'));
    return panel;
  }
  head.append(element('span', 'hint', 'Run a new model on these, in this order: the service predicts the rest. '
    + 'The expected error is the median absolute error on the other benchmarks, in points.'));
  const list = element('ol', 'probes');
  list.dataset.testid = 'complete-probe-list';
  probes.benchmarks.forEach((benchmark, i) => {
    const item = element('li', '', benchmark);
    item.dataset.benchmark = benchmark;
    const error = probes.expected_error[i];
    if (Number.isFinite(error)) item.append(element('span', 'hint', ` · expected error after it: ${fixed(error, 2)}`));
    list.append(item);
  });
  panel.append(list);
  return panel;
}

function notPredictedPanel(cells) {
  const shown = cells.slice(0, NOT_PREDICTED_SHOWN);
  const hint = cells.length > shown.length
    ? `The first ${shown.length} of ${cells.length}; the JSON download has them all.`
    : 'The method needs a benchmark observed for a few models, and a model with some score.';
  return tablePanel(`Not predicted (${cells.length})`, hint, 'complete-not-predicted',
    simpleTable([{ label: 'Model' }, { label: 'Benchmark' }, { label: 'Why', wrap: true }],
      shown.map((c) => [c.model, c.benchmark, c.detail || c.reason])));
}

async function show(body) {
  if (!Array.isArray(body.predictions) || !body.cross_validation) throw new Error('the service returned no completion');
  const scaleOf = new Map((body.method?.scales ?? []).map((s) => [s.benchmark, s.scale]));
  Object.assign(view, {
    result: body,
    digits: (benchmark) => DIGITS[scaleOf.get(benchmark)] ?? 4,
    sort: { key: 'model', dir: 1 },
    page: 0,
  });
  view.rows = filtered();
  const out = outputOf('complete');
  out.replaceChildren();
  const level = body.method?.interval?.level ?? 0.9;
  const cv = body.cross_validation;
  const summary = [
    `${plural(body.predictions.length, 'missing score')} predicted`,
    ...(body.not_predicted.length ? [`${body.not_predicted.length} not predicted`] : []),
    `cross-validated median error ${fixed(cv.median_abs_error, 2)} points, ${pct(cv.coverage)} inside the ${pct(level, 0)} intervals`,
    ...(body.probes ? [`${plural(body.probes.benchmarks.length, 'probe')}`] : []),
  ].join(' · ');
  const csv = smallButton('complete-download-csv', 'Download predictions (CSV)', () => {
    downloadCsv(`${baseName()}_completed.csv`, [
      ['model', 'benchmark', 'value', 'lower', 'upper'],
      ...body.predictions.map((p) => [p.model, p.benchmark, p.value, p.lower, p.upper]),
    ]);
  });
  const json = smallButton('complete-download-json', 'Download full result (JSON)', () => downloadJson(`${baseName()}_complete.json`, body));
  const grid = element('div', 'charts');
  const panels = [crossValidationPanel(body), probesPanel(body)];
  if (body.not_predicted.length) panels.push(notPredictedPanel(body.not_predicted));
  out.append(toolbar(summary, csv, json), grid, predictionsPanel(level), perBenchmarkPanel(body));
  out.hidden = false;
  drawPredictions();
  const returned = body.charts && typeof body.charts === 'object' ? body.charts : {};
  // The heatmap first, on a row of its own (a column per benchmark).
  const { heatmap, ...others } = returned;
  const charts = heatmap ? { heatmap, ...others } : others;
  const drawing = drawChartSet(grid, charts, 'complete');
  grid.querySelector('[data-chart="heatmap"]')?.classList.add('wide');
  if (Object.keys(charts).length === 0) {
    grid.append(element('p', 'hint', 'The service returned no charts; the JSON download has the numbers.'));
  }
  grid.append(...panels);
  await drawing;
  setStatus('complete', `${plural(body.predictions.length, 'missing score')} predicted`
    + (state.table?.fileName ? ` in ${state.table.fileName}.` : '.'));
}

export default {
  id: 'complete',
  name: 'Complete the leaderboard',
  status: 'Load the BenchPress example or your own leaderboard (an empty cell is a score nobody ran), then press Complete the leaderboard.',
  button: 'run-complete',
  run,
  // BenchPress's own setting: five probes (its paper's probe protocol) and
  // 90 % intervals.
  presets: { benchpress: { interval: '0.9', probes: '5', autorun: true } },
  preset({ interval = '', probes = '' }) {
    $('complete-interval').value = interval;
    $('complete-probes').value = probes;
  },
};
