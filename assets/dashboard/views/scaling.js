// What the views on the PCs' scaling share: the family and compute columns
// of step 4, and an output of a summary, the JSON download and a figure per
// returned chart (plus whatever panels a view adds).

import { drawChartSet } from '../charts.js';
import { $, element, outputOf, smallButton, toolbar } from '../dom.js';
import { baseName, downloadJson } from '../downloads.js';
import { setStatus } from '../messages.js';
import { UserError } from '../requests.js';
import { runAnalysis } from '../run.js';
import { state } from '../state.js';

// Family and compute columns, as the scaling endpoints name them; `compute`
// is 'required', 'optional' or 'none' (the view does not show those pickers).
export function familyAndCompute(params, { familyRequired, compute }) {
  const family = $('family-column').value;
  if (family) params.set('family_column', family);
  else if (familyRequired) throw new UserError('No family column', 'Pick the column that names each model\'s family.');
  if (compute === 'none') return;
  const required = compute === 'required';
  if ($('compute-source').value === 'flops') {
    const flops = $('flops-column').value;
    if (flops) params.set('flops_column', flops);
    else if (required) throw new UserError('No FLOPs column', 'Pick the column of training FLOPs, or choose parameters × tokens.');
  } else {
    const p = $('params-column').value;
    const d = $('tokens-column').value;
    if (p && d) {
      params.set('params_column', p);
      params.set('tokens_column', d);
    } else if (required || p || d) {
      throw new UserError('Compute needs both columns', 'Pick the parameters column and the tokens column.');
    }
  }
}

// A view's output: a summary, the JSON download and any `buttons` of the
// view's own, its `panels`, then a figure per returned chart with the
// `beside` panels in the same row.
export async function showOutput(view, body, { summary, buttons = [], panels = [], beside = [] }) {
  const out = outputOf(view);
  out.replaceChildren();
  const json = smallButton(`${view}-download-json`, 'Download full result (JSON)',
    () => downloadJson(`${baseName()}_${view}.json`, body));
  const grid = element('div', 'charts');
  out.append(toolbar(summary, ...buttons, json), ...panels, grid);
  out.hidden = false;
  const charts = body.charts && typeof body.charts === 'object' ? body.charts : {};
  const drawing = drawChartSet(grid, charts, view);
  if (Object.keys(charts).length === 0) {
    grid.append(element('p', 'hint', 'The service returned no charts for this analysis; the JSON download has the numbers.'));
  }
  grid.append(...beside);
  await drawing;
  setStatus(view, state.table?.fileName ? `Results for ${state.table.fileName}.` : 'Results.');
}

// The run of a scaling view: `spec` names its endpoint, busy text, query
// (`params()`, a UserError for what is missing) and `output(body)`, the
// summary and panels it shows.
export function runScaling(view, spec) {
  return runAnalysis({
    view,
    endpoint: spec.endpoint,
    buildParams: spec.params,
    button: $(`run-${view}`),
    busy: spec.busy,
    show: (body) => showOutput(view, body, spec.output(body)),
  }).then((ok) => {
    // No stale charts under the message of a failed run.
    if (ok === false) outputOf(view).hidden = true;
  });
}
