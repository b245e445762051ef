// obscaling dashboard. One loaded table (a leaderboard CSV) feeds five views,
// chosen by the URL fragment: #pca, #compute-fit, #law, #design, #skills. Each
// view posts the CSV to its endpoint with its options as query parameters and
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

  const VIEWS = ['pca', 'compute-fit', 'law', 'design', 'skills'];
  const VIEW_NAMES = {
    pca: 'Principal components', 'compute-fit': 'Compute fit', law: 'Scaling law', design: 'Which models to evaluate',
    skills: 'A family\'s larger models',
  };

  // The worked examples (assets/examples/SOURCE.md): their columns and
  // options, and `runs`, the views an example runs once loaded (when one of
  // them is current). `tasks` is the paper set with its emergent-task and
  // post-training columns joined: it presets the views built on the PCs (word
  // unscrambling predicted from the models up to Llama-2-7B's compute, on
  // Llama-2's compute axis). `skills` is a small Open LLM Leaderboard v2
  // table where every model has its parameters and tokens (the paper set
  // lacks Mistral's and Mixtral's tokens, so the law leaves them out): Qwen2
  // has only its 0.5B model there, and the view predicts its 1.5B, 7B and
  // 72B, whose leaderboard scores SOURCE.md gives for comparison. Its floors
  // are the Sloth paper's chance floors (tests/fixtures/sloth/protocol.json).
  const PAPER_BENCHMARKS = ['MMLU', 'ARC-C', 'HellaSwag', 'Winograd', 'TruthfulQA', 'GSM8K', 'XWinograd', 'HumanEval'];
  const EXAMPLES = {
    paper: {
      url: '/examples/paper_set_77.csv',
      fileName: 'paper_set_77.csv',
      modelColumn: 'Model',
      benchmarks: PAPER_BENCHMARKS,
      colorBy: 'Model Family',
      missing: 'iterative_pca',
      rank: '1',
      bounds: '0,1',
      status: 'Loaded the paper\'s 77 base models (6 missing scores, filled by iterative PCA imputation). ',
    },
    tasks: {
      url: '/examples/paper_set_77_tasks.csv',
      fileName: 'paper_set_77_tasks.csv',
      modelColumn: 'Model',
      benchmarks: PAPER_BENCHMARKS,
      colorBy: 'Model Family',
      missing: 'iterative_pca',
      rank: '1',
      bounds: '0,1',
      family: 'Model Family',
      flops: 'FLOPs (1E21)',
      targets: ['word_unscrambling_2_exact_match'],
      maxTrainFlops: '84',
      referenceFamily: 'Llama-2',
      maxModels: '25',
      requiredFamilies: ['Llama-2', 'Qwen1.5'],
      top: '3',
      runs: ['pca', 'compute-fit', 'law', 'design'],
      status: 'Loaded the paper\'s 77 base models with their emergent-task and post-training scores. ',
    },
    skills: {
      url: '/examples/leaderboard_v2_skills.csv',
      fileName: 'leaderboard_v2_skills.csv',
      modelColumn: 'Model',
      benchmarks: ['IFEval', 'BBH', 'MATH Lvl 5', 'GPQA', 'MUSR', 'MMLU-PRO'],
      colorBy: 'Family',
      missing: 'reject',
      family: 'Family',
      flops: 'FLOPs (1E21)',
      params: '#Params (B)',
      tokens: 'Pretraining Data Size (T)',
      floors: '0,0.2885,0,0.25,0.3433,0.1',
      skillsFamily: 'qwen2',
      sizes: '1.5, 7\n7, 7\n72, 7',
      runs: ['skills'],
      status: 'Loaded 15 base models of six families of the Open LLM Leaderboard v2. ',
    },
  };
  // Headers that look like model metadata rather than benchmark scores: numeric,
  // but not ticked by default.
  const METADATA = /(^|[^a-z])(size|params?|parameters|flops|tokens|compute|year|date|pretraining|release)([^a-z]|$)|パラメータ|トークン/i;
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
    // The loaded table, as the service described it (describedTable).
    table: null,
    reading: null, // the description of the pasted text under way, if any
    prefix: null, // the prefix that made the current benchmark selection, if unchanged since
    statuses: {}, // the status line of each view
    // The PCA shown, with the query and table that made it, its basis once
    // asked for, and the models placed on it.
    pca: { result: null, groups: null, sort: { key: 'index', dir: 1 }, params: null, table: null, basis: null, placed: null },
  };
  const embedded = new WeakMap(); // chart element -> {view, spec} of the Vega view drawn in it

  // ---------- the loaded table ----------
  //
  // The page reads no table itself: the service describes each one (POST
  // /v1/inspect) exactly as the analysis endpoints will read it, and the
  // pickers list what it answers.

  // Distinct values asked per column: every family of a leaderboard.
  const LISTED_VALUES = 100;
  // A text column with at most this many distinct values can group models.
  const MAX_GROUPS = 60;

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

  // The distinct values of a column, in first-seen order (the first
  // LISTED_VALUES of them).
  function distinctValues(column) {
    return state.table?.examples[column] ?? [];
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
    fillSelect($('skills-family'), families, { keep: $('skills-family').value, none: '(pick a family)' });
  }

  function isLong() {
    return $('layout').value === 'long';
  }

  // Shows the pickers of the chosen layout ([data-layout]).
  function syncLayout() {
    for (const el of document.querySelectorAll('[data-layout]')) el.hidden = el.dataset.layout !== $('layout').value;
  }

  // A new table: its long-layout columns are guessed afresh.
  function forgetLongColumns() {
    $('benchmark-column').replaceChildren();
    $('score-column').replaceChildren();
  }

  // Asks the service what a table body holds (POST /v1/inspect): its
  // columns (names, numeric or not, distinct values), its layout and, for
  // CSV, its delimiter (`auto`: read off the header line).
  async function inspectTable(body, contentType, delimiter = 'auto') {
    const params = new URLSearchParams({ max_examples: String(LISTED_VALUES) });
    if (contentType === 'text/csv') params.set('delimiter', delimiter);
    const response = await fetch(`/v1/inspect?${params}`, {
      method: 'POST', headers: { 'Content-Type': contentType, Accept: 'application/json' }, body,
    });
    return readAnswer(response);
  }

  const BINARY_TYPES = [
    [/\.parquet$/i, 'application/vnd.apache.parquet', 'Parquet'],
    [/\.arrows?$/i, 'application/vnd.apache.arrow.stream', 'Arrow stream'],
  ];
  const DELIMITER_NAMES = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

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

  function summarise() {
    const t = state.table;
    const format = t ? (t.binary ? t.kind : `${DELIMITER_NAMES[t.delimiter]}-separated`) : '';
    $('csv-summary').textContent = t ? `${t.rows} rows · ${t.header.length} columns · ${format}` : '';
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

  function setCsv(text, fileName, presets, layout) {
    $('csv-input').value = text;
    return readCsvText({ fileName, fresh: true, presets, layout });
  }

  function syncImputationOptions() {
    $('imputation-options').hidden = $('missing').value !== 'iterative_pca';
  }

  async function loadExample(name) {
    const EXAMPLE = EXAMPLES[name];
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
    try {
      await setCsv(text, EXAMPLE.fileName, {
        modelColumn: EXAMPLE.modelColumn, benchmarks: EXAMPLE.benchmarks, colorBy: EXAMPLE.colorBy,
      }, 'wide');
    } catch (err) {
      showError('The example could not be read', String(err.message || err));
      return;
    }
    $('benchmark-prefix').value = '';
    $('n-components').value = '';
    $('standardize').checked = false;
    $('sign').value = 'positive_sum';
    $('missing').value = EXAMPLE.missing;
    $('imputation-rank').value = EXAMPLE.rank ?? '';
    $('imputation-bounds').value = EXAMPLE.bounds ?? '';
    $('imputation-max-iter').value = '';
    $('imputation-tol').value = '';
    syncImputationOptions();
    presetScaling(EXAMPLE);
    if (EXAMPLE.runs?.includes(state.view)) {
      setStatus(EXAMPLE.status);
      await runView(state.view);
      return;
    }
    setStatus(EXAMPLE.status
      + (state.view === 'pca' ? 'Press Run PCA.' : 'Pick the options, then press the button under step 5.'));
  }

  // The scaling views' options an example names (the others are cleared).
  function presetScaling(example) {
    if (example.family) $('family-column').value = example.family;
    refreshFamilies();
    $('compute-source').value = 'flops';
    syncVisibility();
    if (example.flops) $('flops-column').value = example.flops;
    if (example.params) $('params-column').value = example.params;
    if (example.tokens) $('tokens-column').value = example.tokens;
    const tick = (list, values) => {
      for (const box of list.querySelectorAll('input[type=checkbox]')) box.checked = values.includes(box.value);
    };
    tick($('target-columns'), example.targets ?? []);
    tick($('required-families'), example.requiredFamilies ?? []);
    $('max-train-flops').value = example.maxTrainFlops ?? '';
    $('reference-family').value = example.referenceFamily ?? '';
    $('max-models').value = example.maxModels ?? '';
    $('top').value = example.top ?? '';
    $('min-family-size').value = '';
    $('skills-floors').value = example.floors ?? '';
    $('skills-d').value = '';
    $('skills-link').value = 'monotone';
    $('skills-family').value = example.skillsFamily ?? '';
    $('skills-sizes').value = example.sizes ?? '';
  }

  function runView(view) {
    if (view === 'pca') return runPca();
    if (view === 'skills') return runSkills();
    return runScaling(view);
  }

  // ---------- views (hash routing) ----------

  const DEFAULT_STATUS = {
    pca: 'Load the paper example or your own CSV, then press Run PCA.',
    'compute-fit': 'Pick the family and compute columns, then fit the PCs against compute.',
    law: 'Load the paper example with task scores (preset to word unscrambling), or pick the target column(s), a training cutoff and the compute columns, then fit the scaling law.',
    design: 'Pick the family column and a budget, then choose the model families to evaluate.',
    skills: 'Load the skills example, or pick the family, parameters and tokens columns, a family and the sizes to predict, then press Predict.',
  };

  function currentView() {
    const view = location.hash.slice(1);
    return VIEWS.includes(view) ? view : 'pca';
  }

  // Shows the elements of the current view: [data-views] lists the views an
  // element belongs to; [data-compute] the compute source it is for.
  function syncVisibility() {
    // The skills law reads parameters and tokens, never a FLOPs column: its
    // view shows those two pickers whatever the compute source says (the
    // source select is not shown there), and the other views keep their
    // choice.
    const source = state.view === 'skills' ? 'params_tokens' : $('compute-source').value;
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

  // A comma-separated list of names (the API's list syntax): a name holding
  // a comma or a double quote goes in double quotes, its quotes doubled, as
  // in a CSV row.
  function nameList(names) {
    return names.map((n) => (/[",]/.test(n) ? `"${n.replace(/"/g, '""')}"` : n)).join(',');
  }

  // The query parameters the PC analyses share: the table's and the
  // PCA/missing-score options.
  function sharedParams() {
    const params = tableParams();
    analysisOptions(params);
    return params;
  }

  // The query parameters that read the table: its layout and the benchmark
  // matrix.
  function tableParams() {
    const t = state.table;
    const params = new URLSearchParams();
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

  // Posts the loaded table to `endpoint` with `params`; the parsed JSON body,
  // or a ProblemError with the service's problem+json (or one made up from
  // the status when the answer is not JSON).
  async function postTable(endpoint, params, t = state.table) {
    const response = await fetch(`${endpoint}?${params}`, {
      method: 'POST',
      headers: { 'Content-Type': t.contentType, Accept: 'application/json' },
      body: t.body,
    });
    return readAnswer(response);
  }

  // An answer's JSON body, or a ProblemError.
  async function readAnswer(response) {
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
    // A paste still being described is waited for.
    flushCsvEdit();
    await state.reading;
    if (!state.table) {
      const pasted = $('csv-input').value.trim();
      showError(pasted ? 'The CSV cannot be read' : 'No data',
        pasted ? $('csv-summary').textContent : 'Paste a CSV, upload a file or load the paper example first.');
      return;
    }
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

  function runPca() {
    const colorColumn = $('color-by').value;
    return runAnalysis({
      view: 'pca',
      endpoint: '/v1/pca',
      buildParams: () => {
        const params = sharedParams();
        if (colorColumn) params.set('group_column', colorColumn);
        return params;
      },
      button: $('run'),
      busy: 'Computing the principal components…',
      show: async (body, params) => {
        if (!body.charts) throw new Error('the service returned no charts');
        state.pca.result = body;
        state.pca.params = params;
        state.pca.table = state.table;
        state.pca.basis = null;
        state.pca.placed = null;
        $('placed-summary').textContent = '';
        // The service's label of each model, coloured in its scatter.
        state.pca.groups = body.groups
          ? { column: colorColumn, byIndex: body.groups.map((g) => g ?? '(none)') } : null;
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
    // The service coloured the points by group; its legend and tooltip
    // are titled here with the column's name.
    const groups = state.pca.groups;
    if (groups) {
      for (const channel of [spec.encoding.color, spec.encoding.shape, ...(spec.encoding.tooltip ?? [])]) {
        if (channel?.field === 'group') channel.title = groups.column;
      }
    }
    return spec;
  }

  function drawScatter() {
    return drawChart($('scatter'), withPlaced(scatterSpec(state.pca.result.charts.scatter)));
  }

  // The scatter with the placed models (POST /v1/pca/transform) as a second
  // layer: black diamonds on the same axes.
  function withPlaced(spec) {
    const placed = state.pca.placed;
    if (!placed || placed.models.length === 0 || state.pca.result.n_components < 2) return spec;
    const values = placed.models.map((model, i) => {
      const record = { model };
      placed.projections[i].forEach((v, c) => { record[pcName(c)] = v; });
      return record;
    });
    const { mark, encoding, params, ...rest } = spec;
    const axis = (channel) => ({ field: encoding[channel].field, type: 'quantitative' });
    return {
      ...rest,
      layer: [
        { mark, encoding, ...(params ? { params } : {}) },
        {
          data: { values },
          mark: { type: 'point', shape: 'diamond', size: 170, filled: true, color: '#111111', stroke: '#ffffff', strokeWidth: 1 },
          encoding: {
            x: axis('x'), y: axis('y'),
            tooltip: [{ field: 'model', type: 'nominal', title: 'Placed model' }, axis('x'), axis('y')],
          },
        },
      ],
    };
  }

  // ---------- the basis: fit once, place later ----------

  // The basis of the PCA shown: the same request with return_basis=true,
  // asked once per result.
  async function fetchBasis() {
    if (state.pca.basis) return state.pca.basis;
    const params = new URLSearchParams(state.pca.params);
    params.delete('charts');
    params.set('return_basis', 'true');
    const body = await postTable('/v1/pca', params, state.pca.table);
    if (!body.basis) throw new Error('the service returned no basis');
    state.pca.basis = body.basis;
    return body.basis;
  }

  function reportFailure(err) {
    if (err instanceof ProblemError) showProblem(err.problem);
    else showError('The request could not be completed', String(err.message || err));
  }

  async function downloadBasis() {
    if (!state.pca.result) return;
    clearError();
    try {
      const basis = await fetchBasis();
      download(`${baseName()}_pca_basis.json`, 'application/json', `${JSON.stringify(basis, null, 2)}\n`);
    } catch (err) {
      reportFailure(err);
    }
  }

  // Posts the basis and the pasted CSV as a form to /v1/pca/transform and
  // draws the placed models on the scatter.
  async function placeModels() {
    if (!state.pca.result) return;
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
      const response = await fetch('/v1/pca/transform', { method: 'POST', headers: { Accept: 'application/json' }, body: form });
      const body = await readAnswer(response);
      state.pca.placed = body;
      const parts = [`${body.models.length} model${body.models.length === 1 ? '' : 's'} placed`];
      if (body.imputed.length) parts.push(`${body.imputed.length} missing score(s) filled`);
      if (body.ignored_benchmarks.length) parts.push(`columns ignored: ${body.ignored_benchmarks.join(', ')}`);
      $('placed-summary').textContent = parts.join(' · ');
      await drawScatter();
    } catch (err) {
      reportFailure(err);
    } finally {
      button.disabled = false;
    }
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
        params.set('target_columns', nameList(targets));
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
        if (required.length) params.set('required_families', nameList(required));
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

  // ---------- the skills view: a family's larger models ----------
  //
  // Two requests: the loaded table to /v1/scaling/skills (its charts and the
  // fitted basis), then the basis with the typed sizes to
  // /v1/scaling/predict, which predicts them with nothing refitted. The
  // table shows what the second answer holds.

  // The typed sizes, one per line: `params (B), tokens (T)[, name]`; both
  // numbers are required. A UserError names the first line that is not one.
  function typedSizes(text, family) {
    const sizes = [];
    const names = new Set();
    text.split(/\r?\n/).forEach((raw, i) => {
      const line = raw.trim();
      if (!line) return;
      const where = `Line ${i + 1} (“${line}”)`;
      const parts = line.split(',').map((part) => part.trim());
      const [params, tokens] = parts.slice(0, 2).map((part) => (/^[-+0-9.eE]+$/.test(part ?? '') ? Number(part) : NaN));
      if (parts.length < 2 || !(params > 0) || !(tokens > 0) || !Number.isFinite(params) || !Number.isFinite(tokens)) {
        throw new UserError('A size cannot be read', `${where}: write the parameters in billions and the training tokens `
          + 'in trillions, two numbers above 0 separated by a comma, optionally followed by a name (e.g. “70, 2” or “70, 2, my-70b”).');
      }
      const name = parts.slice(2).join(',').trim() || `${family} ${parts[0]}B ${parts[1]}T`;
      if (names.has(name)) throw new UserError('A size is there twice', `${where}: the model “${name}” is already listed.`);
      names.add(name);
      sizes.push({ name, params, tokens });
    });
    if (sizes.length === 0) {
      throw new UserError('No sizes to predict', 'Type one size per line: parameters in billions, tokens in trillions (e.g. “70, 2”).');
    }
    return sizes;
  }

  // The skills request's query, and what the predict request needs.
  function skillsRequest() {
    const params = tableParams();
    familyAndCompute(params, { familyRequired: true, compute: 'none' });
    const p = $('params-column').value;
    const d = $('tokens-column').value;
    if (!p || !d) {
      throw new UserError('The law needs parameters and tokens',
        'Pick the parameters column (in billions) and the training tokens column (in trillions).');
    }
    params.set('params_column', p);
    params.set('tokens_column', d);
    const floors = $('skills-floors').value.replace(/\s+/g, '');
    if (floors) params.set('floors', floors);
    const skills = $('skills-d').value.trim();
    if (skills) params.set('skills', skills);
    params.set('link', $('skills-link').value);
    params.set('return_basis', 'true');
    params.set('charts', 'true');
    const family = $('skills-family').value;
    if (!family) throw new UserError('No family', 'Pick the family whose larger models to predict.');
    return { params, family, sizes: typedSizes($('skills-sizes').value, family) };
  }

  function runSkills() {
    let request;
    return runAnalysis({
      view: 'skills',
      endpoint: '/v1/scaling/skills',
      buildParams: () => {
        request = skillsRequest();
        return request.params;
      },
      button: $('run-skills'),
      busy: 'Fitting the skills law and predicting the typed sizes…',
      show: async (body) => {
        if (!body.basis) throw new Error('the service returned no basis');
        const { family, sizes } = request;
        const response = await fetch('/v1/scaling/predict', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({
            basis: body.basis,
            models: sizes.map((s) => s.name),
            params: sizes.map((s) => s.params),
            tokens: sizes.map((s) => s.tokens),
            families: sizes.map(() => family),
          }),
        });
        const predicted = await readAnswer(response);
        await showSkills(body, predicted, request);
      },
    }).then((ok) => {
      if (ok === false) document.querySelector('[data-testid="skills-output"]').hidden = true;
    });
  }

  function smallButton(testid, label, onClick, title) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'secondary small';
    b.dataset.testid = testid;
    b.textContent = label;
    if (title) b.title = title;
    b.addEventListener('click', onClick);
    return b;
  }

  // A plain table: `columns` are {label, num, format}, `rows` arrays of
  // cells (numbers are written with four decimals, as the projections are,
  // unless the column has its own format).
  function simpleTable(columns, rows) {
    const table = document.createElement('table');
    const hr = table.createTHead().insertRow();
    for (const c of columns) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = c.label;
      if (c.num) th.className = 'num';
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

  function tablePanel(title, hint, testid, table) {
    const panel = document.createElement('section');
    panel.className = 'panel table-panel';
    const head = document.createElement('div');
    head.className = 'row spread';
    const h3 = document.createElement('h3');
    h3.textContent = title;
    const note = document.createElement('span');
    note.className = 'hint';
    note.textContent = hint;
    head.append(h3, note);
    const scroll = document.createElement('div');
    scroll.className = 'table-scroll';
    scroll.dataset.testid = testid;
    scroll.append(table);
    panel.append(head, scroll);
    return panel;
  }

  // The skills view's output: a summary and downloads, the typed sizes'
  // predictions, the family's models in the table (their scores, read off
  // the predicted-vs-observed chart's data, and the law's fit), and the
  // three charts.
  async function showSkills(body, predicted, { family, sizes }) {
    const out = document.querySelector('[data-testid="skills-output"]');
    out.replaceChildren();
    const benchmarks = predicted.benchmarks;
    const fitted = body.predictions.filter((p) => p.family === family && p.fitted).length;
    const toolbar = document.createElement('div');
    toolbar.className = 'toolbar';
    const summary = document.createElement('span');
    summary.className = 'summary';
    summary.textContent = [
      `${body.skills} skill${body.skills === 1 ? '' : 's'}${body.skills_default ? ' (default)' : ''}, ${body.link} link`,
      `fitted on ${body.predictions.filter((p) => p.fitted).length} models of ${body.families.length} families`,
      `training error ${fixed(body.training_error.mae_pp, 2)} pp`,
      `${family}: ${fitted} scored model${fitted === 1 ? '' : 's'}`,
      ...(body.dropped_models.length
        ? [`${body.dropped_models.length} model(s) without parameters, tokens or family left out`]
        : []),
    ].join(' · ');
    const spacer = document.createElement('span');
    spacer.className = 'spacer';
    const csv = smallButton('skills-download-csv', 'Download predictions (CSV)', () => {
      const header = ['model', 'family', 'params_B', 'tokens_T', ...benchmarks];
      const lines = [header.map(csvField).join(',')];
      predicted.predictions.forEach((p, i) => {
        lines.push([p.model, p.family, sizes[i].params, sizes[i].tokens, ...p.predicted].map(csvField).join(','));
      });
      download(`${baseName()}_skills_predictions.csv`, 'text/csv', `${lines.join('\n')}\n`);
    });
    const json = smallButton('skills-download-json', 'Download full result (JSON)', () => {
      download(`${baseName()}_skills.json`, 'application/json', `${JSON.stringify({ skills: body, predict: predicted }, null, 2)}\n`);
    }, 'The skills answer (with its basis and charts) and the predict answer');
    const basis = smallButton('skills-download-basis', 'Download basis', () => {
      download(`${baseName()}_skills_basis.json`, 'application/json', `${JSON.stringify(body.basis, null, 2)}\n`);
    }, 'The fitted skills basis: POST it to /v1/scaling/predict with other sizes, nothing refitted');
    toolbar.append(summary, spacer, csv, json, basis);

    const columns = [{ label: 'Model' }, { label: 'Parameters (B)', num: true, format: String }, { label: 'Tokens (T)', num: true, format: String },
      ...benchmarks.map((b) => ({ label: b, num: true }))];
    const rows = predicted.predictions.map((p, i) => [p.model, sizes[i].params, sizes[i].tokens, ...p.predicted]);
    const predictions = tablePanel(`Predicted scores of ${family}`,
      'POST /v1/scaling/predict with the fitted basis: each typed size, in its family, with nothing refitted.',
      'skills-predictions', simpleTable(columns, rows));

    // Each scored cell's score, from the chart's data (docs/skills.md#charts).
    const observed = new Map();
    for (const v of body.charts?.predicted_vs_observed?.data?.values ?? []) {
      if (v.series === 'fitted' && v.family === family) observed.set(`${v.model}\u0000${v.benchmark}`, v.observed);
    }
    const known = [];
    for (const p of body.predictions.filter((q) => q.family === family)) {
      known.push([p.model, 'score', ...benchmarks.map((b) => observed.get(`${p.model}\u0000${b}`))]);
      known.push([p.model, 'law\'s fit', ...p.predicted]);
    }
    const table = tablePanel(`${family}'s models in the table`, 'Their scores, and what the law fitted to them.',
      'skills-observed', simpleTable([{ label: 'Model' }, { label: '' }, ...benchmarks.map((b) => ({ label: b, num: true }))], known));

    const grid = document.createElement('div');
    grid.className = 'charts';
    out.append(toolbar, predictions, table, grid);
    out.hidden = false;
    await drawChartSet(grid, body.charts ?? {}, 'skills');
    setStatus('skills', `${sizes.length} size${sizes.length === 1 ? '' : 's'} of ${family} predicted`
      + (state.table?.fileName ? ` from ${state.table.fileName}.` : '.'));
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

  function init() {
    if (typeof vegaEmbed !== 'function' || typeof vega === 'undefined' || typeof vega.expressionInterpreter !== 'function') {
      showError('The chart runtime did not load', 'The page cannot draw charts: /assets/vendor/*.js failed to load.');
    }
    for (const name of ['scree', 'loadings', 'scatter']) {
      const el = $(name);
      el.before(chartActions(el, `pca_${name}`, `download-${name}`));
    }
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
        const binary = BINARY_TYPES.find(([name]) => name.test(file.name));
        if (binary) await loadBinary(file, binary[1], binary[2]);
        else {
          $('delimiter').value = /\.tsv$/i.test(file.name) ? 'tab' : 'auto';
          await setCsv(await file.text(), file.name);
        }
        setStatus(`Loaded ${file.name}. Pick the columns, then run the analysis.`);
      } catch (err) {
        if (err instanceof ProblemError) showProblem(err.problem);
        else showError('The file could not be read', String(err.message || err));
      }
      ev.target.value = '';
    });
    $('layout').addEventListener('change', () => { syncLayout(); refreshPickers(); });
    $('benchmark-column').addEventListener('change', () => refreshPickers());
    $('score-column').addEventListener('change', () => refreshPickers());
    $('load-example').addEventListener('click', () => loadExample('paper'));
    $('load-example-tasks').addEventListener('click', () => loadExample('tasks'));
    $('load-example-skills').addEventListener('click', () => loadExample('skills'));
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
    $('run-skills').addEventListener('click', runSkills);
    $('family-column').addEventListener('change', refreshFamilies);
    $('compute-source').addEventListener('change', syncVisibility);
    $('scatter-x').addEventListener('change', () => { if (state.pca.result) drawScatter(); });
    $('scatter-y').addEventListener('change', () => { if (state.pca.result) drawScatter(); });
    // The groups come with the PCA: a new colour asks for it again.
    $('color-by').addEventListener('change', () => { if (state.pca.result) runPca(); });
    $('download-csv').addEventListener('click', downloadCsv);
    $('download-json').addEventListener('click', downloadJson);
    $('download-basis').addEventListener('click', downloadBasis);
    $('place-models').addEventListener('click', placeModels);
    window.addEventListener('hashchange', route);
    syncImputationOptions();
    syncLayout();
    route();
    if ($('csv-input').value.trim()) readCsvText({ fresh: true });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
