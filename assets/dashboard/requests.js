// Talking to the service: the query a view's request shares with the
// others, posting the loaded table, and reading an answer or its
// problem+json.

import { $ } from './dom.js';
import { checkedBenchmarks, isLong, prefixMatches } from './pickers.js';
import { state } from './state.js';

// A request the page refuses to send: what is missing, in words.
export class UserError extends Error {
  constructor(title, detail) { super(detail); this.title = title; this.detail = detail; }
}

// A non-2xx answer: the problem+json body, or one made from the status.
export class ProblemError extends Error {
  constructor(problem) { super(problem.detail || problem.title); this.problem = problem; }
}

const sameSet = (a, b) => a.length === b.length && a.every((x) => b.includes(x));

// A comma-separated list of names (the API's list syntax): a name holding
// a comma or a double quote goes in double quotes, its quotes doubled, as
// in a CSV row.
export function nameList(names) {
  return names.map((n) => (/[",]/.test(n) ? `"${n.replace(/"/g, '""')}"` : n)).join(',');
}

// The query parameters that read the table: its layout and the benchmark
// matrix.
export function tableParams() {
  const t = state.table;
  const params = new URLSearchParams();
  if (t.lmEval) return resultsParams(t);
  if (t.delimiter === ';') params.set('delimiter', ';');
  else if (t.delimiter === '\t') params.set('delimiter', 'tab');
  if (isLong()) {
    params.set('layout', 'long');
    params.set('model_column', $('model-column').value);
    params.set('benchmark_column', $('benchmark-column').value);
    params.set('score_column', $('score-column').value);
    const prefix = $('benchmark-prefix').value;
    if (prefix) params.set('benchmark_prefix', prefix);
    return params;
  }
  params.set('model_column', $('model-column').value);

  const chosen = checkedBenchmarks();
  if (chosen.length === 0) {
    throw new UserError('No benchmarks selected', 'Tick at least one benchmark column, or select them by prefix.');
  }
  const prefix = state.prefix;
  if (prefix !== null && sameSet(chosen, prefixMatches(prefix))) params.set('benchmark_prefix', prefix);
  else params.set('benchmarks', nameList(chosen));
  return params;
}

// lm-eval results: the tasks ticked, by name or by the prefix that ticked
// them; the model column keys the models part, when there is one.
function resultsParams(t) {
  const params = new URLSearchParams({ format: 'lm_eval' });
  if (t.lmEval.models_part_columns) params.set('model_column', $('model-column').value);
  const chosen = checkedBenchmarks();
  if (chosen.length === 0) {
    throw new UserError('No tasks selected', 'Tick at least one task, or select them by prefix.');
  }
  const prefix = state.prefix;
  if (prefix !== null && sameSet(chosen, prefixMatches(prefix))) params.set('task_prefix', prefix);
  else params.set('tasks', nameList(chosen));
  return params;
}

// The PCA and missing-score options, and charts.
function analysisOptions(params) {
  const k = $('n-components').value.trim();
  if (k) params.set('n_components', k);
  if ($('standardize').checked) params.set('standardize', 'true');
  params.set('sign', $('sign').value);
  const missing = $('missing').value;
  params.set('missing', missing);
  if (missing === 'iterative_pca') {
    const fields = [['imputation-rank', 'imputation_rank'], ['imputation-bounds', 'imputation_bounds'],
      ['imputation-max-iter', 'imputation_max_iter'], ['imputation-tol', 'imputation_tol']];
    for (const [id, name] of fields) {
      const v = $(id).value.trim();
      if (v) params.set(name, v);
    }
  }
  params.set('charts', 'true');
}

// The query parameters the PC analyses share: the table's and the
// PCA/missing-score options.
export function sharedParams() {
  const params = tableParams();
  analysisOptions(params);
  return params;
}

// An answer's JSON body, or a ProblemError.
export async function readAnswer(response) {
  const text = await response.text();
  let body = null;
  try { body = JSON.parse(text); } catch { /* not JSON: reported below */ }
  if (response.ok && body && typeof body === 'object') return body;
  if (!response.ok && body && typeof body === 'object' && (body.title || body.detail)) throw new ProblemError(body);
  throw new ProblemError({
    title: `The service answered ${response.status} ${response.statusText}`.trim(),
    detail: text.slice(0, 500),
    status: response.status,
  });
}

// Posts `body` (JSON when it is not a string, a Blob, a buffer or a form)
// to `path`; the parsed answer, or a ProblemError.
export async function post(path, body, contentType) {
  const headers = { Accept: 'application/json' };
  if (contentType) headers['Content-Type'] = contentType;
  const response = await fetch(path, { method: 'POST', headers, body });
  return readAnswer(response);
}

export const postJson = (path, value) => post(path, JSON.stringify(value), 'application/json');

// Posts the loaded table (or `t`) to `endpoint` with `params`.
export const postTable = (endpoint, params, t = state.table) => post(`${endpoint}?${params}`, t.body, t.contentType);
