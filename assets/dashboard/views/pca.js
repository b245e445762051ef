// #pca: the principal components of the loaded table (POST /v1/pca), their
// three charts and the projections table; the fitted basis to download,
// and new models placed on it (POST /v1/pca/transform) into the scatter's
// `placed` dataset.

import { drawChart, specButton, viewIn } from '../charts.js';
import { $, element, fixed, pct, plural, sortableTable } from '../dom.js';
import { baseName, downloadCsv, downloadJson } from '../downloads.js';
import { clearError, setStatus, showError } from '../messages.js';
import { fillSelect, GUESS, onTable } from '../pickers.js';
import { post, postTable, sharedParams } from '../requests.js';
import { reportFailure, runAnalysis } from '../run.js';
import { state } from '../state.js';

const CHARTS = ['scree', 'loadings', 'scatter'];
// The scatter's dataset of placed models (src/charts/pca.rs).
const PLACED = 'placed';

// The PCA shown, with the query and table that made it, its basis once
// asked for, and the sort of the projections table.
const pca = { result: null, groups: null, sort: { key: 'index', dir: 1 }, params: null, table: null, basis: null };

const pcName = (i) => `PC${i + 1}`;

function run() {
  return runAnalysis({
    view: 'pca',
    endpoint: '/v1/pca',
    // The colour column is read with the rest of the query, once the table
    // is read: a run started before another table was loaded asks with that
    // table's columns, not a column of the one before.
    buildParams: () => {
      const params = sharedParams();
      const colorColumn = $('color-by').value;
      if (colorColumn) params.set('group_column', colorColumn);
      return params;
    },
    button: $('run'),
    busy: 'Computing the principal components…',
    show: async (body, params) => {
      if (!body.charts) throw new Error('the service returned no charts');
      Object.assign(pca, { result: body, params, table: state.table, basis: null });
      $('placed-summary').textContent = '';
      // The service's label of each model, coloured in its scatter.
      pca.groups = body.groups ? { column: params.get('group_column'), byIndex: body.groups.map((g) => g ?? '(none)') } : null;
      pca.sort = { key: 'index', dir: 1 };
      await render();
    },
  }).then((ok) => {
    if (ok === false) {
      $('results').hidden = true;
      pca.result = null;
    }
  });
}

async function render() {
  const r = pca.result;
  const k = r.n_components;
  const parts = [
    `${r.models.length} models × ${r.benchmarks.length} benchmarks`,
    `${plural(k, 'component')} explaining ${pct(r.cumulative_explained_variance_ratio[k - 1] ?? 0)} of the variance`,
    r.scale ? 'standardized' : 'centred',
  ];
  if (r.imputed.length) {
    let how = `${plural(r.imputed.length, 'missing score')} imputed`;
    if (r.imputation) {
      how += ` (${r.imputation.converged ? 'converged' : 'did not converge'} after ${r.imputation.iterations} iterations)`;
    } else how += ' (benchmark mean)';
    parts.push(how);
  }
  if (r.dropped_models.length) parts.push(`${r.dropped_models.length} model(s) with missing scores left out`);
  $('summary').textContent = parts.join(' · ');
  $('results').hidden = false;
  drawTable();
  await Promise.all(CHARTS.map((name) => drawChart($(name), r.charts[name], `pca_${name}`)));
  setStatus('pca', state.table?.fileName ? `Results for ${state.table.fileName}.` : 'Results.');
}

// The basis of the PCA shown: the same request with return_basis=true,
// asked once per result.
async function fetchBasis() {
  if (pca.basis) return pca.basis;
  const params = new URLSearchParams(pca.params);
  params.delete('charts');
  params.set('return_basis', 'true');
  const body = await postTable('/v1/pca', params, pca.table);
  if (!body.basis) throw new Error('the service returned no basis');
  pca.basis = body.basis;
  return body.basis;
}

async function downloadBasis() {
  if (!pca.result) return;
  clearError();
  try {
    downloadJson(`${baseName()}_pca_basis.json`, await fetchBasis());
  } catch (err) {
    reportFailure(err);
  }
}

// Posts the basis and the pasted CSV as a form to /v1/pca/transform and
// hands the answer to the scatter, whose `placed` layer draws its models.
async function placeModels() {
  if (!pca.result) return;
  clearError();
  const text = $('new-models').value;
  if (!text.trim()) {
    showError('No models to place', 'Paste the new models\' scores as CSV first.');
    return;
  }
  const button = $('place-models');
  button.disabled = true;
  try {
    const basis = await fetchBasis();
    const form = new FormData();
    form.append('basis', new Blob([JSON.stringify(basis)], { type: 'application/json' }));
    form.append('scores', new Blob([text], { type: 'text/csv' }));
    const body = await post('/v1/pca/transform', form);
    const parts = [`${plural(body.models.length, 'model')} placed`];
    if (body.imputed.length) parts.push(`${body.imputed.length} missing score(s) filled`);
    if (body.ignored_benchmarks.length) parts.push(`columns ignored: ${body.ignored_benchmarks.join(', ')}`);
    $('placed-summary').textContent = parts.join(' · ');
    // A scatter of one component has no such layer.
    const view = viewIn($('scatter'));
    if (view && PLACED in (pca.result.charts.scatter.datasets ?? {})) await view.data(PLACED, [body]).runAsync();
  } catch (err) {
    reportFailure(err);
  } finally {
    button.disabled = false;
  }
}

function drawTable() {
  const r = pca.result;
  const groups = pca.groups;
  const imputedBy = new Map();
  for (const cell of r.imputed) {
    if (!imputedBy.has(cell.model)) imputedBy.set(cell.model, []);
    imputedBy.get(cell.model).push(`${cell.benchmark} = ${fixed(cell.value, 3)}`);
  }
  // The model's name, marked when some of its scores were imputed.
  const modelCell = (td, i) => {
    td.className = 'model';
    td.textContent = r.models[i];
    td.title = r.models[i];
    const filled = imputedBy.get(r.models[i]);
    if (filled) {
      const mark = element('span', 'imputed-mark', 'imputed');
      mark.title = ['Imputed scores', ...filled].join('\n');
      td.append(mark);
    }
  };
  const columns = [
    { key: 'index', label: '#', num: true, value: (i) => i, cell: (td, i) => { td.textContent = String(i + 1); } },
    { key: 'model', label: 'Model', value: (i) => r.models[i], cell: modelCell },
  ];
  if (groups) columns.push({ key: 'group', label: groups.column, value: (i) => groups.byIndex[i] });
  for (let c = 0; c < r.n_components; c += 1) {
    columns.push({ key: `pc${c}`, label: pcName(c), num: true, value: (i) => r.projections[i][c] });
  }
  $('projections').replaceChildren(sortableTable(columns, r.models.length, pca.sort, drawTable));
}

function downloadProjections() {
  const r = pca.result;
  if (!r) return;
  downloadCsv(`${baseName()}_pca_projections.csv`, [
    ['model', ...Array.from({ length: r.n_components }, (_, c) => pcName(c))],
    ...r.models.map((model, i) => [model, ...r.projections[i]]),
  ]);
}

export default {
  id: 'pca',
  name: 'Principal components',
  status: 'Load the paper example or your own CSV, then press Run PCA.',
  button: 'run',
  run,
  // The examples' colour column (the PCA options are the table's).
  presets: {
    paper: { colorBy: 'Model Family' },
    tasks: { colorBy: 'Model Family', autorun: true },
    skills: { colorBy: 'Family' },
  },
  preset({ colorBy }) {
    if (colorBy) $('color-by').value = colorBy;
  },
  init() {
    for (const name of CHARTS) $(name).before(specButton($(name), `pca_${name}`, `download-${name}`));
    // Text columns of few values: groups to colour the scatter by.
    onTable(({ groupColumns }) => {
      fillSelect($('color-by'), groupColumns, { keep: $('color-by').value, guess: GUESS.family, none: '(none)' });
    });
    // The groups come with the PCA: a new colour asks for it again.
    $('color-by').addEventListener('change', () => { if (pca.result) run(); });
    $('download-csv').addEventListener('click', downloadProjections);
    $('download-json').addEventListener('click', () => { if (pca.result) downloadJson(`${baseName()}_pca.json`, pca.result); });
    $('download-basis').addEventListener('click', downloadBasis);
    $('place-models').addEventListener('click', placeModels);
  },
};
