// obscaling dashboard: reads a leaderboard CSV, asks this service for its PCA
// (POST /v1/pca with the CSV as body) and draws the results as inline SVG.
// No framework, no chart library, nothing fetched from another origin.
'use strict';

(() => {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);

  // Columns the paper example analyses, and its options.
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
  const METADATA = /(^|[^a-z])(size|params?|parameters|flops|tokens|compute|year|date|pretraining|release)([^a-z]|$)/i;
  const MISSING_TOKENS = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '-']);
  const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
    '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#8c8c8c'];
  const SHAPES = ['circle', 'square', 'triangle', 'diamond'];
  // ColorBrewer RdBu, negative (red) to positive (blue), as Vega's "redblue".
  const RDBU = ['#67001f', '#b2182b', '#d6604d', '#f4a582', '#fddbc7', '#f7f7f7',
    '#d1e5f0', '#92c5de', '#4393c3', '#2166ac', '#053061'];

  const state = {
    table: null, // {header, rows, delimiter, numeric: bool[]}
    prefix: null, // the prefix that made the current selection, if unchanged since
    result: null, // the last successful response
    groups: null, // {column, byIndex: string[]} for colouring, fixed at request time
    sort: { key: 'index', dir: 1 },
    fileName: null,
  };

  // ---------- CSV (only to list the columns; the service parses it for real) ----------

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

  function readTable(text, delimiterChoice) {
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
    return { header, rows, delimiter, numeric };
  }

  // ---------- pickers ----------

  function option(value, label) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label ?? value;
    return o;
  }

  function checkedBenchmarks() {
    return [...$('benchmark-list').querySelectorAll('input[type=checkbox]:checked')].map((i) => i.value);
  }

  function updateBenchmarkCount() {
    const n = checkedBenchmarks().length;
    $('benchmark-count').textContent = state.table ? `${n} selected` : '';
  }

  // Rebuilds the pickers from the parsed table, keeping earlier choices that still apply.
  function refreshPickers({ modelColumn, benchmarks, colorBy } = {}) {
    const t = state.table;
    const modelSelect = $('model-column');
    const colorSelect = $('color-by');
    const list = $('benchmark-list');
    const previousModel = modelColumn ?? modelSelect.value;
    const previousChecked = benchmarks ? new Set(benchmarks)
      : (list.dataset.ready ? new Set(checkedBenchmarks()) : null);
    const previousColor = colorBy ?? colorSelect.value;

    modelSelect.replaceChildren();
    colorSelect.replaceChildren(option('', '(none)'));
    list.replaceChildren();
    delete list.dataset.ready;
    if (!t) {
      modelSelect.disabled = true;
      colorSelect.disabled = true;
      const p = document.createElement('p');
      p.className = 'hint';
      p.textContent = 'Load a CSV to list its columns.';
      list.append(p);
      updateBenchmarkCount();
      return;
    }

    t.header.forEach((h) => modelSelect.append(option(h)));
    const firstText = t.header.find((h, c) => !t.numeric[c]);
    modelSelect.value = t.header.includes(previousModel) ? previousModel : (firstText ?? t.header[0]);
    modelSelect.disabled = false;
    const model = modelSelect.value;

    t.header.forEach((h, c) => {
      if (h === model) return;
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.value = h;
      box.dataset.column = h;
      box.checked = previousChecked ? previousChecked.has(h) : (t.numeric[c] && !METADATA.test(h));
      label.append(box, ` ${h}`);
      label.title = t.numeric[c] ? h : `${h} (not numeric)`;
      if (!t.numeric[c]) label.classList.add('non-numeric');
      list.append(label);
    });
    list.dataset.ready = '1';

    // Colour by: text columns with a manageable number of distinct values.
    const candidates = t.header.filter((h, c) => {
      if (h === model || t.numeric[c]) return false;
      const distinct = new Set(t.rows.map((r) => (r[c] ?? '').trim()));
      return distinct.size >= 1 && distinct.size <= 60;
    });
    candidates.forEach((h) => colorSelect.append(option(h)));
    const family = candidates.find((h) => /family|group|organi[sz]ation|org\b/i.test(h));
    colorSelect.value = candidates.includes(previousColor) ? previousColor : (family ?? '');
    colorSelect.disabled = candidates.length === 0;
    updateBenchmarkCount();
  }

  function onCsvChanged(presets) {
    const text = $('csv-input').value;
    state.table = text.trim() ? readTable(text, $('delimiter').value) : null;
    const t = state.table;
    const names = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };
    $('csv-summary').textContent = t
      ? `${t.rows.length} rows · ${t.header.length} columns · ${names[t.delimiter]}-separated`
      : '';
    refreshPickers(presets);
  }

  function setCsv(text, fileName, presets) {
    $('csv-input').value = text;
    state.fileName = fileName;
    state.prefix = null;
    onCsvChanged(presets);
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
    setStatus('Loaded the paper\'s 77 base models (6 missing scores, filled by iterative PCA imputation). Press Run PCA.');
  }

  // ---------- the API call ----------

  function buildQuery() {
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
    const byPrefix = prefix !== null && sameSet(chosen, prefixMatches(prefix));
    if (byPrefix) params.set('benchmark_prefix', prefix);
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
    return params;
  }

  class UserError extends Error {
    constructor(title, detail) { super(detail); this.title = title; this.detail = detail; }
  }

  const sameSet = (a, b) => a.length === b.length && a.every((x) => b.includes(x));

  function prefixMatches(prefix) {
    const model = $('model-column').value;
    return state.table ? state.table.header.filter((h) => h !== model && h.startsWith(prefix)) : [];
  }

  async function run() {
    clearError();
    if (!$('csv-input').value.trim()) {
      onCsvChanged();
      showError('No data', 'Paste a CSV, upload a file or load the paper example first.');
      return;
    }
    if (!state.table) onCsvChanged();
    let params;
    try {
      params = buildQuery();
    } catch (err) {
      if (err instanceof UserError) { showError(err.title, err.detail); return; }
      throw err;
    }
    const colorColumn = $('color-by').value;
    const button = $('run');
    button.disabled = true;
    button.textContent = 'Running…';
    setStatus('Computing the principal components…');
    try {
      const response = await fetch(`/v1/pca?${params}`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', Accept: 'application/json' },
        body: $('csv-input').value,
      });
      const type = response.headers.get('Content-Type') || '';
      const body = type.includes('json') ? await response.json() : await response.text();
      if (!response.ok) {
        $('results').hidden = true;
        state.result = null;
        if (body && typeof body === 'object') showProblem(body);
        else showError(`The service answered ${response.status} ${response.statusText}`, String(body).slice(0, 500));
        setStatus('The analysis failed; see the message above.');
        return;
      }
      state.result = body;
      state.groups = groupsFor(body.models, colorColumn);
      state.sort = { key: 'index', dir: 1 };
      render();
    } catch (err) {
      showError('The service could not be reached', String(err.message || err));
      setStatus('');
    } finally {
      button.disabled = false;
      button.textContent = 'Run PCA';
    }
  }

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

  // ---------- messages ----------

  function setStatus(text) { $('status').textContent = text; }

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

  // ---------- formatting ----------

  const pct = (v, digits = 1) => `${(100 * v).toFixed(digits)}%`;
  // Fixed decimals, without a "-0.00" for a tiny negative value.
  const fixed = (v, digits) => {
    if (!Number.isFinite(v)) return '–';
    const s = v.toFixed(digits);
    return Number(s) === 0 ? (0).toFixed(digits) : s;
  };
  const pcName = (i) => `PC${i + 1}`;

  function niceStep(span, count) {
    const raw = (span || 1) / count;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const err = raw / mag;
    return (err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1) * mag;
  }

  // A padded, rounded domain and its ticks.
  function niceDomain(lo, hi, count = 6) {
    if (!(hi > lo)) { lo -= 1; hi += 1; }
    const pad = (hi - lo) * 0.05;
    lo -= pad; hi += pad;
    const step = niceStep(hi - lo, count);
    lo = Math.floor(lo / step) * step;
    hi = Math.ceil(hi / step) * step;
    const ticks = [];
    for (let v = lo; v <= hi + step / 2; v += step) ticks.push(Math.abs(v) < step / 1e6 ? 0 : v);
    const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    return { lo, hi, ticks, format: (v) => v.toFixed(decimals) };
  }

  // ---------- SVG helpers ----------

  function svgEl(name, attrs = {}, parent = null) {
    const e = document.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) e.setAttribute(k, v);
    if (parent) parent.append(e);
    return e;
  }

  function svgText(parent, x, y, content, attrs = {}) {
    const t = svgEl('text', { x, y, ...attrs }, parent);
    t.textContent = content;
    return t;
  }

  function newSvg(width, height, label) {
    return svgEl('svg', {
      viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label,
    });
  }

  function symbolPath(shape, x, y, r) {
    switch (shape) {
      case 'square': { const s = r * 0.9; return `M${x - s},${y - s}h${2 * s}v${2 * s}h${-2 * s}Z`; }
      case 'triangle': return `M${x},${y - r * 1.2}L${x + r * 1.1},${y + r * 0.8}L${x - r * 1.1},${y + r * 0.8}Z`;
      case 'diamond': return `M${x},${y - r * 1.3}L${x + r * 1.05},${y}L${x},${y + r * 1.3}L${x - r * 1.05},${y}Z`;
      default: return `M${x - r},${y}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0Z`;
    }
  }

  function hexToRgb(hex) {
    const n = parseInt(hex.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  // Diverging colour of t in [-1, 1] (red negative, blue positive).
  function diverging(t) {
    const x = (Math.max(-1, Math.min(1, t)) + 1) / 2 * (RDBU.length - 1);
    const i = Math.min(RDBU.length - 2, Math.floor(x));
    const f = x - i;
    const a = hexToRgb(RDBU[i]);
    const b = hexToRgb(RDBU[i + 1]);
    const c = a.map((v, j) => Math.round(v + (b[j] - v) * f));
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  }

  // ---------- tooltip ----------

  function setTip(element, lines) { element.dataset.tip = lines.join('\n'); }

  function initTooltip() {
    const tip = $('tooltip');
    let current = null;
    const place = (ev) => {
      const pad = 14;
      const rect = tip.getBoundingClientRect();
      let x = ev.clientX + pad;
      let y = ev.clientY + pad;
      if (x + rect.width > window.innerWidth - 4) x = ev.clientX - rect.width - pad;
      if (y + rect.height > window.innerHeight - 4) y = ev.clientY - rect.height - pad;
      tip.style.left = `${Math.max(4, x)}px`;
      tip.style.top = `${Math.max(4, y)}px`;
    };
    document.addEventListener('mouseover', (ev) => {
      const target = ev.target instanceof Element ? ev.target.closest('[data-tip]') : null;
      if (target === current) return;
      current = target;
      if (!target) { tip.hidden = true; return; }
      const [first, ...rest] = target.dataset.tip.split('\n');
      const b = document.createElement('b');
      b.textContent = first;
      tip.replaceChildren(b);
      for (const line of rest) tip.append(document.createElement('br'), line);
      tip.hidden = false;
      place(ev);
    });
    document.addEventListener('mousemove', (ev) => { if (current) place(ev); });
    document.addEventListener('scroll', () => { tip.hidden = true; current = null; }, true);
  }

  // ---------- charts ----------

  function render() {
    const r = state.result;
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
    setStatus(state.fileName ? `Results for ${state.fileName}.` : 'Results.');

    const xs = $('scatter-x');
    const ys = $('scatter-y');
    xs.replaceChildren();
    ys.replaceChildren();
    if (k === 1) xs.append(option('index', 'model #'));
    for (let i = 0; i < k; i += 1) { xs.append(option(String(i), pcName(i))); ys.append(option(String(i), pcName(i))); }
    xs.value = k === 1 ? 'index' : '0';
    ys.value = k === 1 ? '0' : '1';

    $('results').hidden = false;
    drawScree();
    drawLoadings();
    drawScatter();
    drawTable();
  }

  function drawScree() {
    const r = state.result;
    const k = r.n_components;
    const ratio = r.explained_variance_ratio;
    const cumulative = r.cumulative_explained_variance_ratio;
    const W = 560;
    const H = 320;
    const m = { l: 54, r: 16, t: 34, b: 46 };
    const iw = W - m.l - m.r;
    const ih = H - m.t - m.b;
    const svg = newSvg(W, H, `Scree plot: explained variance ratio of ${k} components`);
    const y = (v) => m.t + ih * (1 - v);
    const band = iw / k;
    const x = (i) => m.l + band * (i + 0.5);

    const grid = svgEl('g', { class: 'grid' }, svg);
    const axisY = svgEl('g', { class: 'axis' }, svg);
    for (let v = 0; v <= 1.0001; v += 0.2) {
      svgEl('line', { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v) }, grid);
      svgText(axisY, m.l - 8, y(v) + 4, pct(v, 0), { 'text-anchor': 'end' });
    }
    svgText(svg, 14, m.t + ih / 2, 'Share of total variance',
      { class: 'axis-title', 'text-anchor': 'middle', transform: `rotate(-90 14 ${m.t + ih / 2})` });

    const axisX = svgEl('g', { class: 'axis' }, svg);
    svgEl('line', { x1: m.l, x2: W - m.r, y1: y(0), y2: y(0) }, axisX);
    const every = Math.ceil(k / 16);
    const bw = Math.min(56, band * 0.66);
    const bars = svgEl('g', {}, svg);
    const labels = svgEl('g', {}, svg);
    ratio.forEach((v, i) => {
      const bar = svgEl('rect', {
        class: 'bar', x: x(i) - bw / 2, y: y(v), width: bw, height: Math.max(0, y(0) - y(v)),
        'data-component': pcName(i),
      }, bars);
      setTip(bar, [pcName(i), `explains ${pct(v, 2)} of the variance`, `first ${i + 1}: ${pct(cumulative[i], 2)}`]);
      if (k <= 12) {
        // Inside tall bars (clear of the cumulative line), above short ones.
        const inside = y(0) - y(v) > 24;
        svgText(labels, x(i), inside ? y(v) + 15 : y(v) - 5, pct(v),
          { class: inside ? 'bar-label inside' : 'bar-label', 'text-anchor': 'middle' });
      }
      if (i % every === 0) svgText(axisX, x(i), y(0) + 17, pcName(i), { 'text-anchor': 'middle' });
    });
    svgText(svg, m.l + iw / 2, H - 8, 'Component', { class: 'axis-title', 'text-anchor': 'middle' });

    const d = cumulative.map((v, i) => `${i ? 'L' : 'M'}${x(i)},${y(v)}`).join('');
    svgEl('path', { class: 'cumulative-line', d }, svg);
    cumulative.forEach((v, i) => {
      const p = svgEl('circle', { class: 'cumulative-point', cx: x(i), cy: y(v), r: 4 }, svg);
      setTip(p, [`PC1–${pcName(i)}`, `together explain ${pct(v, 2)}`]);
    });

    // Legend
    const lg = svgEl('g', { class: 'axis', transform: `translate(${m.l + 4},12)` }, svg);
    svgEl('rect', { class: 'bar-swatch', x: 0, y: 0, width: 12, height: 10 }, lg);
    svgText(lg, 18, 9, 'per component');
    svgEl('line', { class: 'cumulative-swatch-line', x1: 118, x2: 142, y1: 5, y2: 5 }, lg);
    svgEl('circle', { class: 'cumulative-swatch', cx: 130, cy: 5, r: 3.5 }, lg);
    svgText(lg, 148, 9, 'cumulative');

    $('scree').replaceChildren(svg);
  }

  function drawLoadings() {
    const r = state.result;
    const k = r.n_components;
    const p = r.benchmarks.length;
    const comps = r.components;
    let maxAbs = 0;
    comps.forEach((row) => row.forEach((v) => { if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v)); }));
    if (!(maxAbs > 0)) maxAbs = 1;
    const cw = k <= 4 ? 76 : k <= 8 ? 58 : 46;
    const ch = 30;
    const longest = Math.max(...r.benchmarks.map((b) => b.length));
    const ml = Math.min(220, 16 + longest * 7.2);
    const mt = 44;
    const W = ml + k * cw + 16;
    const legendH = 48;
    const H = mt + p * ch + legendH;
    const svg = newSvg(W, H, `Loadings heatmap: ${p} benchmarks by ${k} components`);

    const axis = svgEl('g', { class: 'axis' }, svg);
    for (let c = 0; c < k; c += 1) {
      const cx = ml + c * cw + cw / 2;
      svgText(axis, cx, 18, pcName(c), { 'text-anchor': 'middle', class: 'axis-title' });
      svgText(axis, cx, 33, pct(r.explained_variance_ratio[c], 0), { 'text-anchor': 'middle' });
    }
    r.benchmarks.forEach((b, j) => {
      const label = b.length > 30 ? `${b.slice(0, 29)}…` : b;
      const t = svgText(axis, ml - 8, mt + j * ch + ch / 2 + 4, label, { 'text-anchor': 'end' });
      if (label !== b) setTip(t, [b]);
    });

    const cells = svgEl('g', {}, svg);
    for (let c = 0; c < k; c += 1) {
      for (let j = 0; j < p; j += 1) {
        const v = comps[c][j];
        const x = ml + c * cw;
        const y = mt + j * ch;
        const rect = svgEl('rect', {
          class: 'cell', x, y, width: cw, height: ch, fill: diverging(v / maxAbs),
          'data-benchmark': r.benchmarks[j], 'data-component': pcName(c),
        }, cells);
        setTip(rect, [`${r.benchmarks[j]} · ${pcName(c)}`, `loading ${fixed(v, 4)}`]);
        svgText(cells, x + cw / 2, y + ch / 2 + 4, fixed(v, 2), {
          class: 'cell-label', 'text-anchor': 'middle',
          fill: Math.abs(v) > 0.55 * maxAbs ? '#ffffff' : '#1f2933',
        });
      }
    }

    // Colour legend: a gradient from -max to +max.
    const gw = Math.min(220, k * cw);
    const gx = ml + (k * cw - gw) / 2;
    const gy = mt + p * ch + 14;
    const defs = svgEl('defs', {}, svg);
    const grad = svgEl('linearGradient', { id: 'loadings-gradient', x1: 0, x2: 1, y1: 0, y2: 0 }, defs);
    RDBU.forEach((colour, i) => svgEl('stop', { offset: i / (RDBU.length - 1), 'stop-color': colour }, grad));
    svgEl('rect', { x: gx, y: gy, width: gw, height: 10, fill: 'url(#loadings-gradient)', rx: 2 }, svg);
    const legend = svgEl('g', { class: 'axis' }, svg);
    svgText(legend, gx, gy + 24, fixed(-maxAbs, 2), { 'text-anchor': 'start' });
    svgText(legend, gx + gw / 2, gy + 24, '0', { 'text-anchor': 'middle' });
    svgText(legend, gx + gw, gy + 24, `+${fixed(maxAbs, 2)}`, { 'text-anchor': 'end' });

    $('loadings').replaceChildren(svg);
  }

  function groupStyle() {
    const g = state.groups;
    if (!g) return null;
    const names = [...new Set(g.byIndex)].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    const style = new Map(names.map((name, i) => [name, {
      colour: PALETTE[i % PALETTE.length], shape: SHAPES[Math.floor(i / PALETTE.length) % SHAPES.length],
    }]));
    return { names, style };
  }

  function drawScatter() {
    const r = state.result;
    const k = r.n_components;
    const xChoice = $('scatter-x').value;
    const yi = Number($('scatter-y').value);
    const byIndex = xChoice === 'index';
    const xi = byIndex ? -1 : Number(xChoice);
    const xs = r.projections.map((row, i) => (byIndex ? i + 1 : row[xi]));
    const ys = r.projections.map((row) => row[yi]);
    const axisName = (i) => `${pcName(i)} (${pct(r.explained_variance_ratio[i])} of variance)`;
    $('scatter-heading').textContent = byIndex
      ? `${pcName(yi)} by model${k === 1 ? ' (only one component kept)' : ''}`
      : `${pcName(xi)} vs ${pcName(yi)}`;

    const W = 760;
    const H = 470;
    const m = { l: 62, r: 18, t: 14, b: 50 };
    const iw = W - m.l - m.r;
    const ih = H - m.t - m.b;
    const finite = (a) => a.filter(Number.isFinite);
    const dx = niceDomain(Math.min(...finite(xs)), Math.max(...finite(xs)), 8);
    const dy = niceDomain(Math.min(...finite(ys)), Math.max(...finite(ys)), 6);
    const sx = (v) => m.l + ((v - dx.lo) / (dx.hi - dx.lo)) * iw;
    const sy = (v) => m.t + ih - ((v - dy.lo) / (dy.hi - dy.lo)) * ih;
    const svg = newSvg(W, H, `Scatter of ${r.models.length} models`);
    svg.classList.add('scatter-plot');

    const grid = svgEl('g', { class: 'grid' }, svg);
    const axis = svgEl('g', { class: 'axis' }, svg);
    dx.ticks.forEach((v) => {
      svgEl('line', { x1: sx(v), x2: sx(v), y1: m.t, y2: m.t + ih }, grid);
      svgText(axis, sx(v), m.t + ih + 17, dx.format(v), { 'text-anchor': 'middle' });
    });
    dy.ticks.forEach((v) => {
      svgEl('line', { x1: m.l, x2: m.l + iw, y1: sy(v), y2: sy(v) }, grid);
      svgText(axis, m.l - 8, sy(v) + 4, dy.format(v), { 'text-anchor': 'end' });
    });
    svgEl('rect', { x: m.l, y: m.t, width: iw, height: ih, fill: 'none', stroke: '#c3cad3' }, axis);
    if (!byIndex && dx.lo < 0 && dx.hi > 0) svgEl('line', { class: 'zero-line', x1: sx(0), x2: sx(0), y1: m.t, y2: m.t + ih }, svg);
    if (dy.lo < 0 && dy.hi > 0) svgEl('line', { class: 'zero-line', x1: m.l, x2: m.l + iw, y1: sy(0), y2: sy(0) }, svg);
    svgText(svg, m.l + iw / 2, H - 10, byIndex ? 'Model (row number)' : axisName(xi),
      { class: 'axis-title', 'text-anchor': 'middle' });
    svgText(svg, 16, m.t + ih / 2, axisName(yi),
      { class: 'axis-title', 'text-anchor': 'middle', transform: `rotate(-90 16 ${m.t + ih / 2})` });

    const groups = groupStyle();
    const points = svgEl('g', {}, svg);
    r.models.forEach((model, i) => {
      if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) return;
      const group = state.groups ? state.groups.byIndex[i] : null;
      const st = groups ? groups.style.get(group) : { colour: '#4c78a8', shape: 'circle' };
      const point = svgEl('path', {
        class: 'point', d: symbolPath(st.shape, sx(xs[i]), sy(ys[i]), 5), fill: st.colour,
        'data-index': i, 'data-model': model, 'aria-label': model,
      }, points);
      if (group !== null) point.dataset.group = group;
      const lines = [model];
      if (group !== null) lines.push(`${state.groups.column}: ${group}`);
      for (let c = 0; c < Math.min(k, 4); c += 1) lines.push(`${pcName(c)} = ${fixed(r.projections[i][c], 3)}`);
      setTip(point, lines);
    });

    const legend = $('scatter-legend');
    legend.replaceChildren();
    $('scatter').parentElement.classList.toggle('no-legend', !groups);
    if (groups) {
      const counts = new Map();
      state.groups.byIndex.forEach((g) => counts.set(g, (counts.get(g) || 0) + 1));
      const title = document.createElement('li');
      title.className = 'hint';
      title.textContent = state.groups.column;
      legend.append(title);
      for (const name of groups.names) {
        const st = groups.style.get(name);
        const li = document.createElement('li');
        li.dataset.group = name;
        const sw = svgEl('svg', { width: 14, height: 14, viewBox: '0 0 14 14', 'aria-hidden': 'true' });
        svgEl('path', { class: 'legend-swatch', d: symbolPath(st.shape, 7, 7, 5), fill: st.colour }, sw);
        li.append(sw, `${name} (${counts.get(name)})`);
        li.addEventListener('mouseenter', () => highlight((p) => p.dataset.group === name));
        li.addEventListener('mouseleave', () => highlight(null));
        legend.append(li);
      }
    }
    $('scatter').replaceChildren(svg);
  }

  // Emphasises the scatter points matching `test` (null: none).
  function highlight(test) {
    const svg = $('scatter').querySelector('svg');
    if (!svg) return;
    svg.classList.toggle('dim', !!test);
    for (const p of svg.querySelectorAll('.point')) {
      const on = !!test && test(p);
      p.classList.toggle('highlight', on);
      if (on) p.parentNode.append(p); // draw on top
    }
  }

  // ---------- projections table ----------

  function drawTable() {
    const r = state.result;
    const k = r.n_components;
    const groups = state.groups;
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
    const col = columns.find((c) => c.key === state.sort.key) || columns[0];
    const dir = state.sort.dir;
    order.sort((a, b) => {
      const va = col.value(a);
      const vb = col.value(b);
      const cmp = col.num ? va - vb : String(va).localeCompare(String(vb), undefined, { numeric: true });
      return cmp * dir || a - b;
    });

    const table = document.createElement('table');
    const thead = table.createTHead();
    const hr = thead.insertRow();
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
        state.sort = { key: c.key, dir: state.sort.key === c.key ? -state.sort.dir : 1 };
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
            setTip(mark, ['Imputed scores', ...filled]);
            td.append(mark);
          }
        } else if (c.num) { td.className = 'num'; td.textContent = fixed(c.value(i), 4); }
        else td.textContent = c.value(i);
      }
      tr.addEventListener('mouseenter', () => highlight((p) => p.dataset.index === String(i)));
      tr.addEventListener('mouseleave', () => highlight(null));
    }
    $('projections').replaceChildren(table);
  }

  // ---------- downloads ----------

  const csvField = (v) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };

  function download(name, type, content) {
    const url = URL.createObjectURL(new Blob([content], { type }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30000);
  }

  function baseName() {
    return (state.fileName || 'leaderboard').replace(/\.[^.]*$/, '');
  }

  function downloadCsv() {
    const r = state.result;
    if (!r) return;
    const header = ['model', ...Array.from({ length: r.n_components }, (_, c) => pcName(c))];
    const lines = [header.map(csvField).join(',')];
    r.models.forEach((model, i) => {
      lines.push([csvField(model), ...r.projections[i].map((v) => String(v))].join(','));
    });
    download(`${baseName()}_pca_projections.csv`, 'text/csv', `${lines.join('\n')}\n`);
  }

  function downloadJson() {
    if (!state.result) return;
    download(`${baseName()}_pca.json`, 'application/json', `${JSON.stringify(state.result, null, 2)}\n`);
  }

  // ---------- wiring ----------

  function init() {
    initTooltip();
    let timer = null;
    $('csv-input').addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => { state.fileName = null; state.prefix = null; onCsvChanged(); }, 250);
    });
    $('delimiter').addEventListener('change', () => onCsvChanged());
    $('file-input').addEventListener('change', async (ev) => {
      const file = ev.target.files && ev.target.files[0];
      if (!file) return;
      clearError();
      try {
        const text = await file.text();
        if (/\.tsv$/i.test(file.name)) $('delimiter').value = 'tab';
        else $('delimiter').value = 'auto';
        setCsv(text, file.name);
        setStatus(`Loaded ${file.name}. Pick the columns, then press Run PCA.`);
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
    $('run').addEventListener('click', run);
    $('scatter-x').addEventListener('change', () => { if (state.result) drawScatter(); });
    $('scatter-y').addEventListener('change', () => { if (state.result) drawScatter(); });
    $('color-by').addEventListener('change', () => {
      if (!state.result) return;
      state.groups = groupsFor(state.result.models, $('color-by').value);
      drawScatter();
      drawTable();
    });
    $('download-csv').addEventListener('click', downloadCsv);
    $('download-json').addEventListener('click', downloadJson);
    syncImputationOptions();
    if ($('csv-input').value.trim()) onCsvChanged();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
