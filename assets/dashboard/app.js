// obscaling dashboard. One loaded table (a leaderboard CSV) feeds four views,
// chosen by the URL fragment: #pca, #compute-fit, #law, #design. Each view
// posts the CSV to its endpoint with its options as query parameters and
// `charts=true`, and draws the Vega-Lite specifications the service returns
// with the vendored vega-embed: the chart on screen is the spec a user can
// download and take to Altair, Streamlit or Observable. The page parses the CSV
// only to list its columns; the service parses it for real.
//
// The Content-Security-Policy forbids eval and inline styles, so charts are
// embedded with Vega's expression interpreter and without the style elements
// vega-embed and its tooltip would inject (their rules are in style.css).
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);

  const VIEWS = ['pca', 'compute-fit', 'law', 'design'];
  const VIEW_NAMES = {
    pca: 'Principal components', 'compute-fit': 'Compute fit', law: 'Scaling law', design: 'Which models to evaluate',
  };

  // The paper example's columns and options.
  const EXAMPLE = {
    url: '/examples/paper_set_77.csv',
    modelColumn: 'Model',
    benchmarks: ['MMLU', 'ARC-C', 'HellaSwag', 'Winograd', 'TruthfulQA', 'GSM8K', 'XWinograd', 'HumanEval'],
    colorBy: 'Model Family',
    missing: 'iterative_pca',
    rank: '1',
    bounds: '0,1',
  };
  // Headers that look like model metadata rather than benchmark scores: numeric,
  // but not ticked by default.
  const METADATA = /(^|[^a-z])(size|params?|parameters|flops|tokens|compute|year|date|pretraining|release)([^a-z]|$)|パラメータ|トークン/i;
  const MISSING_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '-']);
  // Guesses for the metadata pickers, tried in order.
  const GUESS = {
    family: /family|group|series|organi[sz]ation|\borg\b|開発|ファミリ/i,
    flops: /flops|compute/i,
    params: /params?\b|parameters|model size|\bsize\b|パラメータ/i,
    tokens: /tokens|pretraining data|data size|トークン/i,
  };

  // vega-embed options that keep the strict CSP: expressions through the
  // interpreter (no Function()), no injected <style> (vega-embed's and the
  // tooltip's rules are in style.css), no actions menu (its editor link would
  // open another origin; the page has its own download buttons).
  const embedOptions = () => ({
    renderer: 'svg',
    actions: false,
    defaultStyle: false,
    ast: true,
    expr: vega.expressionInterpreter,
    tooltip: { disableDefaultStyle: true },
  });

  const state = {
    view: 'pca',
    table: null, // the loaded table: {text, fileName, header, rows, delimiter, numeric: bool[]}
    prefix: null, // the prefix that made the current benchmark selection, if unchanged since
    statuses: {}, // the status line of each view
    pca: { result: null, groups: null, sort: { key: 'index', dir: 1 } },
  };
  const embedded = new WeakMap(); // chart element -> {view, spec} of the Vega view drawn in it

  // ---------- CSV (only to list the columns) ----------

  function stripBom(text) {
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  function detectDelimiter(text) {
    const counts = { ',': 0, ';': 0, '\t': 0 };
    let quoted = false;
    for (const c of text) {
      if (c === '"') quoted = !quoted;
      else if (!quoted && (c === '\n' || c === '\r')) break;
      else if (!quoted && c in counts) counts[c] += 1;
    }
    let best = ',';
    for (const d of [';', '\t']) if (counts[d] > counts[best]) best = d;
    return best;
  }

  // RFC 4180: quoted fields may hold delimiters, doubled quotes and line breaks.
  function parseCsv(text, delimiter) {
    text = stripBom(text);
    const rows = [];
    let row = [];
    let field = '';
    let quoted = false;
    let startOfField = true;
    for (let i = 0; i < text.length; i += 1) {
      const c = text[i];
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 1; } else quoted = false;
        } else field += c;
      } else if (c === '"' && startOfField) {
        quoted = true;
        startOfField = false;
      } else if (c === delimiter) {
        row.push(field); field = ''; startOfField = true;
      } else if (c === '\n' || c === '\r') {
        if (c === '\r' && text[i + 1] === '\n') i += 1;
        row.push(field); rows.push(row);
        row = []; field = ''; startOfField = true;
      } else {
        field += c;
        startOfField = false;
      }
    }
    if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
    return rows.filter((r) => !(r.length === 1 && r[0].trim() === ''));
  }

  const isNumber = (s) => { const t = s.trim(); return t !== '' && Number.isFinite(Number(t)); };
  const isMissing = (s) => MISSING_TOKENS.has(s.trim().toLowerCase());

  function readTable(text, delimiterChoice, fileName) {
    const delimiter = delimiterChoice === 'auto' ? detectDelimiter(stripBom(text))
      : delimiterChoice === 'tab' ? '\t' : delimiterChoice;
    const all = parseCsv(text, delimiter);
    if (all.length === 0) return null;
    const header = all[0].map((h) => h.trim());
    const rows = all.slice(1);
    const numeric = header.map((_, c) => {
      let numbers = 0;
      for (const r of rows) {
        const cell = r[c] ?? '';
        if (isNumber(cell)) numbers += 1;
        else if (!isMissing(cell)) return false;
      }
      return numbers > 0;
    });
    return { text, fileName, header, rows, delimiter, numeric };
  }

  // The distinct non-empty values of a column, in first-seen order.
  function distinctValues(column) {
    const t = state.table;
    const c = t ? t.header.indexOf(column) : -1;
    if (c < 0) return [];
    return [...new Set(t.rows.map((r) => (r[c] ?? '').trim()).filter((v) => v !== ''))];
  }

  // ---------- pickers ----------

  function option(value, label) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label ?? value;
    return o;
  }

  // Refills a <select> with `values`, keeping `keep` if still offered, else
  // the first value matching `guess`, else `fallback`.
  function fillSelect(select, values, { keep, guess, none, fallback = '' } = {}) {
    select.replaceChildren();
    if (none !== undefined) select.append(option('', none));
    values.forEach((v) => select.append(option(v)));
    const guessed = guess ? values.find((v) => guess.test(v)) : undefined;
    select.value = values.includes(keep) ? keep : (guessed ?? fallback);
    select.disabled = values.length === 0;
  }

  function checked(list) {
    return [...list.querySelectorAll('input[type=checkbox]:checked')].map((i) => i.value);
  }

  // Refills a checklist with one box per value; `isChecked(value)` ticks it.
  function fillChecklist(list, values, { isChecked = () => false, dim = () => false, empty }) {
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

  function checkedBenchmarks() {
    return checked($('benchmark-list'));
  }

  function updateBenchmarkCount() {
    $('benchmark-count').textContent = state.table ? `${checkedBenchmarks().length} selected` : '';
  }

  // Rebuilds every picker from the loaded table, keeping earlier choices that
  // still apply; `presets` (the example's) override them.
  function refreshPickers(presets = {}) {
    const t = state.table;
    const list = $('benchmark-list');
    const previousChecked = presets.benchmarks ? new Set(presets.benchmarks)
      : (list.dataset.ready ? new Set(checkedBenchmarks()) : null);
    delete list.dataset.ready;
    const header = t ? t.header : [];
    const isNumeric = (h) => t.numeric[t.header.indexOf(h)];

    const firstText = t ? header.find((h, c) => !t.numeric[c]) : undefined;
    fillSelect($('model-column'), header, {
      keep: presets.modelColumn ?? $('model-column').value, fallback: firstText ?? header[0] ?? '',
    });
    const model = $('model-column').value;
    const others = header.filter((h) => h !== model);
    fillChecklist(list, others, {
      isChecked: (h) => (previousChecked ? previousChecked.has(h) : isNumeric(h) && !METADATA.test(h)),
      dim: (h) => !isNumeric(h),
      empty: t ? 'The table has no column but the model column.' : 'Load a CSV to list its columns.',
    });
    for (const label of list.querySelectorAll('label.non-numeric')) label.title += ' (not numeric)';
    if (t) list.dataset.ready = '1';
    updateBenchmarkCount();

    // Text columns with a manageable number of distinct values: groups.
    const groupColumns = t ? others.filter((h) => {
      if (isNumeric(h)) return false;
      const n = distinctValues(h).length;
      return n >= 1 && n <= 60;
    }) : [];
    fillSelect($('color-by'), groupColumns, { keep: presets.colorBy ?? $('color-by').value, guess: GUESS.family, none: '(none)' });
    fillSelect($('family-column'), groupColumns, { keep: $('family-column').value, guess: GUESS.family, none: '(none)' });

    const numericColumns = others.filter((h) => isNumeric(h));
    for (const [id, guess] of [['flops-column', GUESS.flops], ['params-column', GUESS.params], ['tokens-column', GUESS.tokens]]) {
      fillSelect($(id), numericColumns, { keep: $(id).value, guess, none: '(none)' });
    }
    const previousTargets = new Set(checked($('target-columns')));
    fillChecklist($('target-columns'), numericColumns, {
      isChecked: (h) => previousTargets.has(h),
      empty: t ? 'The table has no numeric column.' : 'Load a CSV to list its columns.',
    });
    refreshFamilies();
  }

  // The pickers that list the families (the values of the family column).
  function refreshFamilies() {
    const families = distinctValues($('family-column').value);
    fillSelect($('reference-family'), families, { keep: $('reference-family').value, none: '(none)' });
    const previous = new Set(checked($('required-families')));
    fillChecklist($('required-families'), families, {
      isChecked: (f) => previous.has(f),
      empty: 'Pick a family column to list its families.',
    });
  }

  function onCsvChanged(presets) {
    const text = $('csv-input').value;
    const fileName = state.table ? state.table.fileName : null;
    state.table = text.trim() ? readTable(text, $('delimiter').value, fileName) : null;
    const t = state.table;
    const names = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };
    $('csv-summary').textContent = t
      ? `${t.rows.length} rows · ${t.header.length} columns · ${names[t.delimiter]}-separated`
      : '';
    refreshPickers(presets);
  }

  function setCsv(text, fileName, presets) {
    $('csv-input').value = text;
    state.table = null;
    state.prefix = null;
    onCsvChanged(presets);
    if (state.table) state.table.fileName = fileName;
  }

  function syncImputationOptions() {
    $('imputation-options').hidden = $('missing').value !== 'iterative_pca';
  }

  async function loadExample() {
    clearError();
    let text;
    try {
      const response = await fetch(EXAMPLE.url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      text = await response.text();
    } catch (err) {
      showError('The example could not be loaded', String(err.message || err));
      return;
    }
    $('delimiter').value = 'auto';
    setCsv(text, 'paper_set_77.csv', {
      modelColumn: EXAMPLE.modelColumn, benchmarks: EXAMPLE.benchmarks, colorBy: EXAMPLE.colorBy,
    });
    $('benchmark-prefix').value = '';
    $('n-components').value = '';
    $('standardize').checked = false;
    $('sign').value = 'positive_sum';
    $('missing').value = EXAMPLE.missing;
    $('imputation-rank').value = EXAMPLE.rank;
    $('imputation-bounds').value = EXAMPLE.bounds;
    $('imputation-max-iter').value = '';
    $('imputation-tol').value = '';
    syncImputationOptions();
    setStatus('Loaded the paper\'s 77 base models (6 missing scores, filled by iterative PCA imputation). '
      + (state.view === 'pca' ? 'Press Run PCA.' : 'Pick the options, then press the button under step 5.'));
  }

  // ---------- views (hash routing) ----------

  const DEFAULT_STATUS = {
    pca: 'Load the paper example or your own CSV, then press Run PCA.',
    'compute-fit': 'Pick the family and compute columns, then fit the PCs against compute.',
    law: 'Pick the target column(s), a training cutoff and the compute columns, then fit the scaling law.',
    design: 'Pick the family column and a budget, then choose the model families to evaluate.',
  };

  function currentView() {
    const view = location.hash.slice(1);
    return VIEWS.includes(view) ? view : 'pca';
  }

  // Shows the elements of the current view: [data-views] lists the views an
  // element belongs to; [data-compute] the compute source it is for.
  function syncVisibility() {
    const source = $('compute-source').value;
    for (const el of document.querySelectorAll('[data-views]')) {
      const inView = el.dataset.views.split(' ').includes(state.view);
      el.hidden = !inView || (el.dataset.compute !== undefined && el.dataset.compute !== source);
    }
  }

  function route() {
    const previous = state.view;
    state.view = currentView();
    syncVisibility();
    for (const link of document.querySelectorAll('[data-view-link]')) {
      if (link.dataset.viewLink === state.view) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.title = `obscaling · ${VIEW_NAMES[state.view]}`;
    if (previous !== state.view) clearError();
    $('status').textContent = state.statuses[state.view] ?? DEFAULT_STATUS[state.view];
  }

  // ---------- the requests ----------

  class UserError extends Error {
    constructor(title, detail) { super(detail); this.title = title; this.detail = detail; }
  }

  // A non-2xx answer: the problem+json body, or one made from the status.
  class ProblemError extends Error {
    constructor(problem) { super(problem.detail || problem.title); this.problem = problem; }
  }

  const sameSet = (a, b) => a.length === b.length && a.every((x) => b.includes(x));

  function prefixMatches(prefix) {
    const model = $('model-column').value;
    return state.table ? state.table.header.filter((h) => h !== model && h.startsWith(prefix)) : [];
  }

  // A comma-separated list of column names (the API's list syntax).
  function nameList(names, what) {
    if (names.some((n) => n.includes(','))) {
      throw new UserError(`Cannot name these ${what}`, `A ${what.replace(/s$/, '')} name contains a comma: ${names.find((n) => n.includes(','))}.`);
    }
    return names.join(',');
  }

  // The query parameters every analysis shares: the table's layout, the
  // benchmark matrix and the PCA/missing-score options.
  function sharedParams() {
    const t = state.table;
    const params = new URLSearchParams();
    if (t.delimiter === ';') params.set('delimiter', ';');
    else if (t.delimiter === '\t') params.set('delimiter', 'tab');
    params.set('model_column', $('model-column').value);

    const chosen = checkedBenchmarks();
    if (chosen.length === 0) {
      throw new UserError('No benchmarks selected', 'Tick at least one benchmark column, or select them by prefix.');
    }
    const prefix = state.prefix;
    if (prefix !== null && sameSet(chosen, prefixMatches(prefix))) params.set('benchmark_prefix', prefix);
    else if (chosen.some((c) => c.includes(','))) {
      throw new UserError('Cannot name these columns',
        'Some selected column names contain a comma; select them with a prefix instead.');
    } else params.set('benchmarks', chosen.join(','));

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
    return params;
  }

  // Posts the loaded table to `endpoint` with `params`; the parsed JSON body,
  // or a ProblemError with the service's problem+json (or one made up from
  // the status when the answer is not JSON).
  async function postTable(endpoint, params) {
    const response = await fetch(`${endpoint}?${params}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Accept: 'application/json' },
      body: state.table.text,
    });
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

  // Runs one analysis: checks there is a table, builds the query (a
  // UserError is shown as such), posts, and hands the body to `show`.
  async function runAnalysis({ view, endpoint, buildParams, button, busy, show }) {
    clearError();
    if (!$('csv-input').value.trim()) {
      showError('No data', 'Paste a CSV, upload a file or load the paper example first.');
      return;
    }
    if (!state.table) onCsvChanged();
    let params;
    try {
      params = buildParams();
    } catch (err) {
      if (err instanceof UserError) { showError(err.title, err.detail); return; }
      throw err;
    }
    const label = button.textContent;
    button.disabled = true;
    button.textContent = 'Running…';
    setStatus(view, busy);
    try {
      const body = await postTable(endpoint, params);
      await show(body, params);
    } catch (err) {
      if (err instanceof ProblemError) {
        showProblem(err.problem);
        setStatus(view, 'The analysis failed; see the message above.');
      } else {
        showError('The analysis could not be completed', String(err.message || err));
        setStatus(view, '');
      }
      return false;
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
    return true;
  }

  // ---------- messages ----------

  // The status line of `view` (shown when that view is current).
  function setStatus(view, text) {
    if (text === undefined) { text = view; view = state.view; }
    state.statuses[view] = text;
    if (view === state.view) $('status').textContent = text;
  }

  function clearError() {
    const box = $('error');
    box.replaceChildren();
    box.hidden = true;
  }

  function showError(title, detail, extra) {
    const box = $('error');
    box.replaceChildren();
    const strong = document.createElement('strong');
    strong.textContent = title;
    box.append(strong);
    if (detail) {
      const p = document.createElement('div');
      p.className = 'detail';
      p.textContent = detail;
      box.append(p);
    }
    if (extra) box.append(extra);
    box.hidden = false;
    box.scrollIntoView({ block: 'nearest' });
  }

  // An application/problem+json answer, in words.
  function showProblem(problem) {
    const extra = document.createDocumentFragment();
    if (Array.isArray(problem.cells) && problem.cells.length) {
      const list = document.createElement('ul');
      extra.append(list);
      const shown = problem.cells.slice(0, 8);
      for (const cell of shown) {
        const li = document.createElement('li');
        li.textContent = `${cell.model} · ${cell.benchmark}`;
        list.append(li);
      }
      const total = problem.missing_count ?? problem.cells.length;
      if (total > shown.length) {
        const li = document.createElement('li');
        li.textContent = `… and ${total - shown.length} more`;
        list.append(li);
      }
    }
    const title = problem.title || `Error ${problem.status ?? ''}`.trim();
    if (problem.code === 'missing_scores') {
      const hint = document.createElement('p');
      hint.className = 'hint-line';
      hint.textContent = 'Tip: choose another “Missing cells” option (e.g. impute by iterative PCA) to fill or drop them.';
      extra.append(hint);
    }
    showError(title, problem.detail || '', extra);
  }

  // ---------- charts (Vega-Lite specs from the service) ----------

  // Draws `spec` into `el`, replacing (and finalizing) what was there.
  async function drawChart(el, spec) {
    embedded.get(el)?.view.finalize();
    embedded.delete(el);
    const { view } = await vegaEmbed(el, spec, embedOptions());
    embedded.set(el, { view, spec });
    el.dataset.rendered = 'true';
    return view;
  }

  // PNG / SVG / Vega-Lite buttons for the chart drawn in `el`, named
  // `${testid}-png` etc.; the files are named after the table and the chart.
  function chartActions(el, name, testid) {
    const bar = document.createElement('div');
    bar.className = 'chart-actions';
    const button = (format, label, title) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'secondary small';
      b.dataset.testid = `${testid}-${format}`;
      b.textContent = label;
      b.title = title;
      b.addEventListener('click', () => downloadChart(el, name, format));
      bar.append(b);
    };
    button('png', 'PNG', 'Download the chart as a PNG image');
    button('svg', 'SVG', 'Download the chart as an SVG image');
    button('spec', 'Vega-Lite', 'Download the Vega-Lite specification (for Altair, Streamlit, Observable, vega-embed)');
    return bar;
  }

  async function downloadChart(el, name, format) {
    const chart = embedded.get(el);
    if (!chart) return;
    const file = `${baseName()}_${name}`;
    if (format === 'spec') {
      download(`${file}.vl.json`, 'application/json', `${JSON.stringify(chart.spec, null, 2)}\n`);
      return;
    }
    const url = await chart.view.toImageURL(format, format === 'png' ? 2 : 1);
    downloadUrl(`${file}.${format}`, url);
  }

  // A figure per spec of `charts` (name -> Vega-Lite spec), drawn into `grid`.
  async function drawChartSet(grid, charts, view) {
    grid.replaceChildren();
    const drawn = [];
    for (const [name, spec] of Object.entries(charts)) {
      const figure = document.createElement('figure');
      figure.className = 'panel chart';
      figure.dataset.chart = name;
      const body = document.createElement('div');
      body.className = 'chart-body';
      body.dataset.testid = `${view}-chart-${name}`;
      figure.append(chartActions(body, `${view}_${name}`, `${view}-chart-${name}`), body);
      grid.append(figure);
      drawn.push(drawChart(body, spec));
    }
    await Promise.all(drawn);
  }

  // ---------- the PCA view ----------

  const pct = (v, digits = 1) => `${(100 * v).toFixed(digits)}%`;
  // Fixed decimals, without a "-0.00" for a tiny negative value.
  const fixed = (v, digits) => {
    if (!Number.isFinite(v)) return '–';
    const s = v.toFixed(digits);
    return Number(s) === 0 ? (0).toFixed(digits) : s;
  };
  const pcName = (i) => `PC${i + 1}`;

  // The colour-by value of each analysed model, looked up by model name.
  function groupsFor(models, column) {
    const t = state.table;
    if (!column || !t) return null;
    const c = t.header.indexOf(column);
    const m = t.header.indexOf($('model-column').value);
    if (c < 0 || m < 0) return null;
    const byName = new Map(t.rows.map((r) => [(r[m] ?? '').trim(), (r[c] ?? '').trim()]));
    return { column, byIndex: models.map((name) => byName.get(name.trim()) || '(none)') };
  }

  function runPca() {
    const colorColumn = $('color-by').value;
    return runAnalysis({
      view: 'pca',
      endpoint: '/v1/pca',
      buildParams: sharedParams,
      button: $('run'),
      busy: 'Computing the principal components…',
      show: async (body) => {
        if (!body.charts) throw new Error('the service returned no charts');
        state.pca.result = body;
        state.pca.groups = groupsFor(body.models, colorColumn);
        state.pca.sort = { key: 'index', dir: 1 };
        await renderPca();
      },
    }).then((ok) => {
      if (ok === false) {
        $('results').hidden = true;
        state.pca.result = null;
      }
    });
  }

  async function renderPca() {
    const r = state.pca.result;
    const k = r.n_components;
    const parts = [
      `${r.models.length} models × ${r.benchmarks.length} benchmarks`,
      `${k} component${k === 1 ? '' : 's'} explaining ${pct(r.cumulative_explained_variance_ratio[k - 1] ?? 0)} of the variance`,
      r.scale ? 'standardized' : 'centred',
    ];
    if (r.imputed.length) {
      let how = `${r.imputed.length} missing score${r.imputed.length === 1 ? '' : 's'} imputed`;
      if (r.imputation) {
        how += ` (${r.imputation.converged ? 'converged' : 'did not converge'} after ${r.imputation.iterations} iterations)`;
      } else how += ' (benchmark mean)';
      parts.push(how);
    }
    if (r.dropped_models.length) parts.push(`${r.dropped_models.length} model(s) with missing scores left out`);
    $('summary').textContent = parts.join(' · ');

    const xs = $('scatter-x');
    const ys = $('scatter-y');
    xs.replaceChildren();
    ys.replaceChildren();
    if (k === 1) xs.append(option('index', 'model #'));
    for (let i = 0; i < k; i += 1) {
      if (k > 1) xs.append(option(String(i), pcName(i)));
      ys.append(option(String(i), pcName(i)));
    }
    xs.value = k === 1 ? 'index' : '0';
    ys.value = k === 1 ? '0' : '1';
    xs.disabled = k === 1;
    ys.disabled = k === 1;

    $('results').hidden = false;
    drawTable();
    await Promise.all([
      drawChart($('scree'), r.charts.scree),
      drawChart($('loadings'), r.charts.loadings),
      drawScatter(),
    ]);
    setStatus('pca', state.table?.fileName ? `Results for ${state.table.fileName}.` : 'Results.');
  }

  // The service's scatter spec, with the axes the pickers chose and, with a
  // colour-by column, each model's group as colour and shape (a legend click
  // picks a group out). Both are small edits of the returned spec; the
  // Vega-Lite download gives the spec as drawn.
  function scatterSpec(base) {
    const r = state.pca.result;
    const spec = structuredClone(base);
    const k = r.n_components;
    if (k >= 2) {
      const xi = Number($('scatter-x').value);
      const yi = Number($('scatter-y').value);
      if (xi !== 0 || yi !== 1) {
        const axis = (i) => `${pcName(i)} (${pct(r.explained_variance_ratio[i])} of variance)`;
        spec.encoding.x = { ...spec.encoding.x, field: pcName(xi), title: axis(xi) };
        spec.encoding.y = { ...spec.encoding.y, field: pcName(yi), title: axis(yi) };
        spec.title = { ...spec.title, text: `${pcName(xi)} vs ${pcName(yi)}` };
      }
    }
    const groups = state.pca.groups;
    if (groups) {
      for (const record of spec.data.values) record.group = groups.byIndex[record.index];
      const group = { field: 'group', type: 'nominal', title: groups.column };
      spec.params = [...(spec.params ?? []), {
        name: 'picked', select: { type: 'point', fields: ['group'] }, bind: 'legend',
      }];
      spec.encoding.color = { ...group, scale: { scheme: 'tableau10' }, legend: { symbolLimit: 0 } };
      spec.encoding.shape = { ...group };
      spec.encoding.opacity = { condition: { param: 'picked', value: 0.85 }, value: 0.12 };
      const tooltip = spec.encoding.tooltip ?? [];
      spec.encoding.tooltip = [tooltip[0], group, ...tooltip.slice(1)].filter(Boolean);
    }
    return spec;
  }

  function drawScatter() {
    return drawChart($('scatter'), scatterSpec(state.pca.result.charts.scatter));
  }

  function drawTable() {
    const r = state.pca.result;
    const k = r.n_components;
    const groups = state.pca.groups;
    const imputedBy = new Map();
    for (const cell of r.imputed) {
      if (!imputedBy.has(cell.model)) imputedBy.set(cell.model, []);
      imputedBy.get(cell.model).push(`${cell.benchmark} = ${fixed(cell.value, 3)}`);
    }
    const columns = [
      { key: 'index', label: '#', num: true, value: (i) => i },
      { key: 'model', label: 'Model', num: false, value: (i) => r.models[i] },
    ];
    if (groups) columns.push({ key: 'group', label: groups.column, num: false, value: (i) => groups.byIndex[i] });
    for (let c = 0; c < k; c += 1) {
      columns.push({ key: `pc${c}`, label: pcName(c), num: true, value: (i) => r.projections[i][c] });
    }

    const order = r.models.map((_, i) => i);
    const col = columns.find((c) => c.key === state.pca.sort.key) || columns[0];
    const dir = state.pca.sort.dir;
    order.sort((a, b) => {
      const va = col.value(a);
      const vb = col.value(b);
      const cmp = col.num ? va - vb : String(va).localeCompare(String(vb), undefined, { numeric: true });
      return cmp * dir || a - b;
    });

    const table = document.createElement('table');
    const hr = table.createTHead().insertRow();
    for (const c of columns) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.dataset.key = c.key;
      if (c.num) th.className = 'num';
      th.setAttribute('aria-sort', c.key === col.key ? (dir > 0 ? 'ascending' : 'descending') : 'none');
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = c.label;
      button.addEventListener('click', () => {
        const sort = state.pca.sort;
        state.pca.sort = { key: c.key, dir: sort.key === c.key ? -sort.dir : 1 };
        drawTable();
      });
      th.append(button);
      hr.append(th);
    }
    const tbody = table.createTBody();
    for (const i of order) {
      const tr = tbody.insertRow();
      tr.dataset.index = i;
      for (const c of columns) {
        const td = tr.insertCell();
        if (c.key === 'index') { td.textContent = String(i + 1); td.className = 'num'; }
        else if (c.key === 'model') {
          td.className = 'model';
          td.textContent = r.models[i];
          td.title = r.models[i];
          const filled = imputedBy.get(r.models[i]);
          if (filled) {
            const mark = document.createElement('span');
            mark.className = 'imputed-mark';
            mark.textContent = 'imputed';
            mark.title = ['Imputed scores', ...filled].join('\n');
            td.append(mark);
          }
        } else if (c.num) { td.className = 'num'; td.textContent = fixed(c.value(i), 4); }
        else td.textContent = c.value(i);
      }
    }
    $('projections').replaceChildren(table);
  }

  // ---------- the scaling views ----------

  // Family and compute columns, as the scaling endpoints name them; `compute`
  // is 'required', 'optional' or 'none' (the view does not show those pickers).
  function familyAndCompute(params, { familyRequired, compute }) {
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

  const SCALING = {
    'compute-fit': {
      endpoint: '/v1/scaling/compute-fit',
      busy: 'Fitting each family\'s PC scores against compute…',
      params() {
        const params = sharedParams();
        familyAndCompute(params, { familyRequired: true, compute: 'required' });
        const size = $('min-family-size').value.trim();
        if (size) params.set('min_family_size', size);
        return params;
      },
      summary: (b) => (Array.isArray(b.families)
        ? `${b.families.length} famil${b.families.length === 1 ? 'y' : 'ies'} fitted, ${b.excluded_families?.length ?? 0} excluded`
        : ''),
    },
    law: {
      endpoint: '/v1/scaling/law',
      busy: 'Fitting the scaling law…',
      params() {
        const params = sharedParams();
        const targets = checked($('target-columns'));
        if (targets.length === 0) throw new UserError('No target', 'Tick the column(s) the law should predict.');
        params.set('target_columns', nameList(targets, 'columns'));
        const cutoff = $('max-train-flops').value.trim();
        const reference = $('reference-family').value;
        familyAndCompute(params, { familyRequired: false, compute: cutoff || reference ? 'required' : 'optional' });
        if (cutoff) params.set('max_train_flops', cutoff);
        if (reference) params.set('reference_family', reference);
        return params;
      },
      summary: (b) => (b.metrics ? `trained on ${b.metrics.n_train} models, tested on ${b.metrics.n_test}` : ''),
    },
    design: {
      endpoint: '/v1/scaling/select-families',
      busy: 'Scoring the choices of families…',
      params() {
        const params = sharedParams();
        familyAndCompute(params, { familyRequired: true, compute: 'none' });
        const budget = $('max-models').value.trim();
        if (!budget) throw new UserError('No budget', 'Give the number of models you can evaluate (or several, comma-separated).');
        params.set('max_models', budget);
        const required = checked($('required-families'));
        if (required.length) params.set('required_families', nameList(required, 'families'));
        const top = $('top').value.trim();
        if (top) params.set('top', top);
        return params;
      },
      summary: (b) => (Array.isArray(b.budgets) ? `${b.budgets.length} budget(s) scored` : ''),
    },
  };

  function runScaling(view) {
    const spec = SCALING[view];
    return runAnalysis({
      view,
      endpoint: spec.endpoint,
      buildParams: spec.params,
      button: $(`run-${view}`),
      busy: spec.busy,
      show: (body) => showScaling(view, body),
    }).then((ok) => {
      // No stale charts under the message of a failed run.
      if (ok === false) document.querySelector(`[data-testid="${view}-output"]`).hidden = true;
    });
  }

  // A scaling view's output: a summary, the JSON download and a figure per
  // returned chart.
  async function showScaling(view, body) {
    const out = document.querySelector(`[data-testid="${view}-output"]`);
    out.replaceChildren();
    const toolbar = document.createElement('div');
    toolbar.className = 'toolbar';
    const summary = document.createElement('span');
    summary.className = 'summary';
    summary.textContent = SCALING[view].summary(body);
    const json = document.createElement('button');
    json.type = 'button';
    json.className = 'secondary small';
    json.dataset.testid = `${view}-download-json`;
    json.textContent = 'Download full result (JSON)';
    json.addEventListener('click', () => {
      download(`${baseName()}_${view}.json`, 'application/json', `${JSON.stringify(body, null, 2)}\n`);
    });
    const spacer = document.createElement('span');
    spacer.className = 'spacer';
    toolbar.append(summary, spacer, json);
    const grid = document.createElement('div');
    grid.className = 'charts';
    out.append(toolbar, grid);
    out.hidden = false;
    const charts = body.charts && typeof body.charts === 'object' ? body.charts : {};
    if (Object.keys(charts).length === 0) {
      const p = document.createElement('p');
      p.className = 'hint';
      p.textContent = 'The service returned no charts for this analysis; the JSON download has the numbers.';
      grid.append(p);
    }
    await drawChartSet(grid, charts, view);
    setStatus(view, state.table?.fileName ? `Results for ${state.table.fileName}.` : 'Results.');
  }

  // ---------- downloads ----------

  const csvField = (v) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };

  function downloadUrl(name, url) {
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    setTimeout(() => {
      a.remove();
      if (url.startsWith('blob:')) URL.revokeObjectURL(url);
    }, 30000);
  }

  function download(name, type, content) {
    downloadUrl(name, URL.createObjectURL(new Blob([content], { type })));
  }

  function baseName() {
    return (state.table?.fileName || 'leaderboard').replace(/\.[^.]*$/, '');
  }

  function downloadCsv() {
    const r = state.pca.result;
    if (!r) return;
    const header = ['model', ...Array.from({ length: r.n_components }, (_, c) => pcName(c))];
    const lines = [header.map(csvField).join(',')];
    r.models.forEach((model, i) => {
      lines.push([csvField(model), ...r.projections[i].map((v) => String(v))].join(','));
    });
    download(`${baseName()}_pca_projections.csv`, 'text/csv', `${lines.join('\n')}\n`);
  }

  function downloadJson() {
    if (!state.pca.result) return;
    download(`${baseName()}_pca.json`, 'application/json', `${JSON.stringify(state.pca.result, null, 2)}\n`);
  }

  // ---------- wiring ----------

  function init() {
    if (typeof vegaEmbed !== 'function' || typeof vega === 'undefined' || typeof vega.expressionInterpreter !== 'function') {
      showError('The chart runtime did not load', 'The page cannot draw charts: /assets/vendor/*.js failed to load.');
    }
    for (const name of ['scree', 'loadings', 'scatter']) {
      const el = $(name);
      el.before(chartActions(el, `pca_${name}`, `download-${name}`));
    }
    let timer = null;
    $('csv-input').addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (state.table) state.table.fileName = null;
        state.prefix = null;
        onCsvChanged();
      }, 250);
    });
    $('delimiter').addEventListener('change', () => onCsvChanged());
    $('file-input').addEventListener('change', async (ev) => {
      const file = ev.target.files && ev.target.files[0];
      if (!file) return;
      clearError();
      try {
        const text = await file.text();
        $('delimiter').value = /\.tsv$/i.test(file.name) ? 'tab' : 'auto';
        setCsv(text, file.name);
        setStatus(`Loaded ${file.name}. Pick the columns, then run the analysis.`);
      } catch (err) {
        showError('The file could not be read', String(err.message || err));
      }
      ev.target.value = '';
    });
    $('load-example').addEventListener('click', loadExample);
    $('model-column').addEventListener('change', () => { state.prefix = null; refreshPickers(); });
    $('benchmark-list').addEventListener('change', () => { state.prefix = null; updateBenchmarkCount(); });
    $('apply-prefix').addEventListener('click', () => {
      const prefix = $('benchmark-prefix').value;
      if (!prefix || !state.table) return;
      const matches = new Set(prefixMatches(prefix));
      if (matches.size === 0) {
        showError('No column matches the prefix', `No column name starts with “${prefix}”.`);
        return;
      }
      clearError();
      for (const box of $('benchmark-list').querySelectorAll('input[type=checkbox]')) box.checked = matches.has(box.value);
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
      for (const box of $('benchmark-list').querySelectorAll('input[type=checkbox]')) box.checked = false;
      state.prefix = null;
      updateBenchmarkCount();
    });
    $('missing').addEventListener('change', syncImputationOptions);
    $('run').addEventListener('click', runPca);
    for (const view of Object.keys(SCALING)) $(`run-${view}`).addEventListener('click', () => runScaling(view));
    $('family-column').addEventListener('change', refreshFamilies);
    $('compute-source').addEventListener('change', syncVisibility);
    $('scatter-x').addEventListener('change', () => { if (state.pca.result) drawScatter(); });
    $('scatter-y').addEventListener('change', () => { if (state.pca.result) drawScatter(); });
    $('color-by').addEventListener('change', () => {
      if (!state.pca.result) return;
      state.pca.groups = groupsFor(state.pca.result.models, $('color-by').value);
      drawScatter();
      drawTable();
    });
    $('download-csv').addEventListener('click', downloadCsv);
    $('download-json').addEventListener('click', downloadJson);
    window.addEventListener('hashchange', route);
    syncImputationOptions();
    route();
    if ($('csv-input').value.trim()) onCsvChanged();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
