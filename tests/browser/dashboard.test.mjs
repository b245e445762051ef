// Browser test of the dashboard served at `/` (run by scripts/browser-test.sh):
// Debian's chromium, headless, driven by playwright-core against a running
// service at http://127.0.0.1:$PORT. Fails on any request to another origin,
// on any console error and on any Content-Security-Policy violation; saves
// screenshots of the paper example, a leaderboard with Japanese headers, the
// scaling law, the design view, the skills view and the completed BenchPress
// matrix.
//
//   PORT=8080 node --test dashboard.test.mjs
//
// Environment: PORT (required), CHROMIUM (default /usr/bin/chromium),
// SCREENSHOT_DIR (default tests/browser/artifacts).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

const here = dirname(fileURLToPath(import.meta.url));
const PORT = process.env.PORT;
if (!PORT) throw new Error('set PORT to the port of a running obscaling service');
const BASE = `http://127.0.0.1:${PORT}`;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT_DIR = resolve(process.env.SCREENSHOT_DIR || join(here, 'artifacts'));
const EXAMPLE_BENCHMARKS = ['MMLU', 'ARC-C', 'HellaSwag', 'Winograd', 'TruthfulQA', 'GSM8K', 'XWinograd', 'HumanEval'];
const EXAMPLE_QUERY = new URLSearchParams({
  model_column: 'Model',
  benchmarks: EXAMPLE_BENCHMARKS.join(','),
  missing: 'iterative_pca',
  imputation_rank: '1',
  imputation_bounds: '0,1',
});
const TASKS_EXAMPLE = join(here, '../../assets/examples/paper_set_77_tasks.csv');
const WORD_UNSCRAMBLING = 'word_unscrambling_2_exact_match';
// The skills example (assets/examples/SOURCE.md) and its preset floors, the
// Sloth paper's chance floors (tests/fixtures/sloth/protocol.json, rounded).
const SKILLS_EXAMPLE = join(here, '../../assets/examples/leaderboard_v2_skills.csv');
const V2_BENCHMARKS = ['IFEval', 'BBH', 'MATH Lvl 5', 'GPQA', 'MUSR', 'MMLU-PRO'];
const V2_FLOORS = [0, 0.2885, 0, 0.25, 0.3433, 0.1];
const JAPANESE_FIXTURE = join(here, '../fixtures/data/nejumi_glp_synthetic.csv');
const GLP = ['GLP_表現', 'GLP_翻訳', 'GLP_情報検索', 'GLP_推論', 'GLP_数学的推論', 'GLP_抽出', 'GLP_知識・質問応答',
  'GLP_英語', 'GLP_意味解析', 'GLP_構文解析'];
// The BenchPress matrix (assets/examples/SOURCE.md): 84 models x 133
// benchmarks, an empty cell for a score nobody published.
const BENCHPRESS_EXAMPLE = join(here, '../../assets/examples/benchpress_matrix.csv');
const VIEWS = ['pca', 'compute-fit', 'law', 'design', 'skills', 'complete'];
// Required on this machine: no sandbox, no GPU, no QUIC, no background traffic.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Vega's SVG renderer: each mark is a <g class="mark-TYPE role-mark ..."> of items.
const MARKS = (chart, type) => `#${chart} svg g.mark-${type}.role-mark > ${type === 'text' ? 'text' : 'path'}`;

let profile;
let context;
let page;
let exampleCsv;
let exampleCharts; // the charts of the paper example, as the API returns them
let tasksCsv;
const external = []; // requests to any other origin (blocked and reported)
const consoleErrors = [];
const violations = []; // securitypolicyviolation events, from every document the page loaded
const expectedStatuses = new Set(); // HTTP statuses whose console line is expected right now
let expectingViolations = false; // true only while the canary provokes one

async function api(path, query, body = exampleCsv) {
  const response = await fetch(`${BASE}${path}?${query}`, {
    method: 'POST', headers: { 'Content-Type': 'text/csv' }, body,
  });
  const text = await response.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* reported by the callers' assertions */ }
  return { status: response.status, type: response.headers.get('content-type'), body: json, text };
}
const apiPca = (query, body) => api('/v1/pca', query, body);

const count = (selector) => page.locator(selector).count();
const texts = (selector) => page.$$eval(selector, (els) => els.map((e) => e.textContent));
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
// As the charts print loadings (d3-format ".2f": no negative zero, a true minus sign).
const twoDecimals = (v) => { const s = v.toFixed(2); return Number(s) === 0 ? '0.00' : s; };
const unminus = (s) => s.replace(/\u2212/g, '-');

async function columnValues(key) {
  const index = await page.$$eval('#projections thead th', (ths, k) => ths.findIndex((th) => th.dataset.key === k), key);
  assert.ok(index >= 0, `no column ${key}`);
  return page.$$eval('#projections tbody tr', (trs, i) => trs.map((tr) => Number(tr.cells[i].textContent)), index);
}

// The items of each mark type (symbol, rect, rule, line, text) that Vega
// draws for `spec`, counted in its scenegraph under Node (a line is one item
// per line drawn: its points are one path).
async function sceneCounts(spec) {
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  await view.runAsync();
  const items = {};
  const walk = (node) => {
    if (node.marktype && node.role === 'mark') {
      const n = node.marktype === 'line' ? (node.items.length > 0 ? 1 : 0) : node.items.length;
      items[node.marktype] = (items[node.marktype] ?? 0) + n;
    }
    for (const child of node.items ?? []) walk(child);
  };
  walk(view.scenegraph().root);
  view.finalize();
  return items;
}

// The same, counted in the SVG the page drew into the element `selector`.
const drawnCounts = (selector) => page.$eval(selector, (el) => {
  const items = {};
  for (const g of el.querySelectorAll('svg g.role-mark')) {
    const type = [...g.classList].find((c) => c.startsWith('mark-')).slice(5);
    items[type] = (items[type] ?? 0) + g.children.length;
  }
  return items;
});

// The title Vega draws for `spec` under Node (a title may be an expression
// of the spec's parameters, at their first values).
async function sceneTitle(spec) {
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  await view.runAsync();
  const texts = [];
  const walk = (node) => {
    if (node.role === 'title-text') texts.push(...node.items.map((i) => i.text));
    for (const child of node.items ?? []) walk(child);
  };
  walk(view.scenegraph().root);
  view.finalize();
  return texts;
}

// The page's modules on disk (assets/dashboard/**/*.js), as paths under /assets/.
async function pageModules(dir = join(here, '../../assets/dashboard')) {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((f) => f.endsWith('.js')).map((f) => relative(join(here, '../../assets/dashboard'), join(dir, f))).sort();
}

// Saves the chart in `chart` (a selector) through vega-embed's action
// links as `ext` (png or svg). A link gets its image URL on mousedown,
// which Vega renders, and downloads on the click that follows: the test
// presses, waits for the URL, and releases, as a person's click would take
// that long.
async function saveChart(chart, ext) {
  const link = page.locator(`${chart} .vega-actions a`, { hasText: `Save as ${ext.toUpperCase()}` });
  await link.hover();
  await page.mouse.down();
  await page.waitForFunction((a) => a.href.startsWith('data:') || a.href.startsWith('blob:'), await link.elementHandle());
  const [file] = await Promise.all([page.waitForEvent('download'), page.mouse.up()]);
  const result = { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
  await page.waitForTimeout(250); // as download() does
  return result;
}

// The rows of a CSV whose cells hold no comma (the tasks example's quoted
// headers aside): a header -> cell map per row, for counting independently of
// the service.
function csvRows(text) {
  const [header, ...lines] = text.trim().split('\n');
  const names = header.match(/("[^"]*"|[^,]+)/g).map((h) => h.replace(/^"|"$/g, ''));
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [names[i], cell])));
}

const isSorted = (values, dir) => values.every((v, i) => i === 0 || dir * (v - values[i - 1]) >= 0);

async function download(testid) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testid}"]`)]);
  const result = { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
  // Headless Chromium here drops a download that starts the instant the one
  // before has finished (no downloadWillBegin at all); a person cannot click
  // that fast, so the test pauses as a person would.
  await page.waitForTimeout(250);
  return result;
}

// Clicks `button` and returns the request the page makes to `path` (within
// `timeout` ms, default the context's).
async function clickAndCatch(button, path, timeout) {
  const responsePromise = page.waitForResponse((r) => new URL(r.url()).pathname === path, timeout ? { timeout } : undefined);
  await page.click(button);
  return responsePromise;
}

// Clicks a view's nav link and waits until the page has routed to it. The
// link changes the fragment, and the page's `hashchange` handler (which shows
// the view and clears the last view's error and warnings) runs in a task of
// its own, after the click has returned: a check made at once would race it.
async function openView(view) {
  await page.click(`[data-testid="nav-${view}"]`);
  await page.waitForSelector(`[data-testid="nav-${view}"][aria-current="page"]`);
}

async function visibleView() {
  const shown = [];
  for (const view of VIEWS) if (await page.locator(`[data-testid="view-${view}"]`).isVisible()) shown.push(view);
  return shown;
}

describe('dashboard', { timeout: 540_000 }, () => {
  before(async () => {
    exampleCsv = await readFile(join(here, '../../assets/examples/paper_set_77.csv'), 'utf8');
    tasksCsv = await readFile(TASKS_EXAMPLE, 'utf8');
    profile = await mkdtemp(join(tmpdir(), 'obscaling-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1440, height: 1000 },
      acceptDownloads: true,
      timeout: 60_000,
    });
    context.setDefaultTimeout(30_000);
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === 'http:' && url.hostname === '127.0.0.1' && url.port === String(PORT)) {
        return route.continue();
      }
      external.push(route.request().url());
      return route.abort('blockedbyclient');
    });
    // Every document reports its CSP violations here, before any of its scripts run.
    await context.exposeFunction('reportCspViolation', (v) => { if (!expectingViolations) violations.push(v); });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        window.reportCspViolation({
          directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile, line: e.lineNumber,
        });
      });
    });
    page = context.pages()[0] ?? await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      const status = text.match(/status of (\d{3})/);
      if (status && expectedStatuses.has(Number(status[1]))) return;
      if (expectingViolations && /Content Security Policy|unsafe-eval/.test(text)) return;
      consoleErrors.push(`${text} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
  });

  after(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('serves the page, its assets and the chart runtime from the binary, same-origin only', async () => {
    const response = await fetch(`${BASE}/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/html/);
    const csp = response.headers.get('content-security-policy');
    assert.match(csp, /^default-src 'self'/);
    assert.match(csp, /script-src 'self';/);
    assert.match(csp, /style-src 'self';/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline/);
    assert.ok(response.headers.get('cache-control'));
    const html = await response.text();
    assert.doesNotMatch(html, /https?:\/\//, 'the page names no other origin');
    for (const [path, type] of [['/assets/app.js', /javascript/], ['/assets/style.css', /text\/css/],
      ['/examples/paper_set_77.csv', /text\/csv/], ['/assets/vendor/THIRD-PARTY-NOTICES.txt', /text\/plain/]]) {
      const r = await fetch(`${BASE}${path}`);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type'), type, path);
    }
    // The vendored builds are the npm files SOURCE.md names, byte for byte, and
    // the large ones travel compressed.
    const source = await readFile(join(here, '../../assets/vendor/SOURCE.md'), 'utf8');
    const rows = [...source.matchAll(/^\| `([a-z-]+)` \| ([\d.]+) \| `([a-z.-]+)` .*\| (\d+) \| `([0-9a-f]{64})` \|$/gm)];
    assert.deepEqual(rows.map((r) => r[1]).sort(), ['vega', 'vega-embed', 'vega-interpreter', 'vega-lite']);
    // The render check below uses the same Vega and Vega-Lite as the page.
    const devDependencies = JSON.parse(await readFile(join(here, 'package.json'), 'utf8')).devDependencies;
    for (const [, name, version] of rows.filter((r) => r[1] === 'vega' || r[1] === 'vega-lite')) {
      assert.equal(devDependencies[name], version, `tests/browser/package.json ${name}`);
    }
    for (const [, name, , file, size, hash] of rows) {
      assert.ok(html.includes(`/assets/vendor/${file}`), `the page loads ${file}`);
      const r = await fetch(`${BASE}/assets/vendor/${file}`, { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(r.status, 200, file);
      assert.match(r.headers.get('content-type'), /javascript/, file);
      const bytes = Buffer.from(await r.arrayBuffer());
      assert.equal(bytes.length, Number(size), `${name}: size`);
      assert.equal(sha256(bytes), hash, `${name}: sha256`);
      if (bytes.length > 100_000) assert.equal(r.headers.get('content-encoding'), 'gzip', `${file} is compressed`);
      const licence = await fetch(`${BASE}/assets/vendor/LICENSE.${name}.txt`);
      assert.equal(licence.status, 200, `${name}: licence`);
      assert.match(await licence.text(), /Redistribution and use in source and binary forms/);
    }
    const missing = await fetch(`${BASE}/assets/secret.txt`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('content-type'), 'application/problem+json');
  });

  it('runs the page as ES modules, every one of them served from the binary', async () => {
    const modules = await pageModules();
    assert.ok(modules.includes('app.js') && modules.includes('views/pca.js'), modules.join());
    for (const module of modules) {
      const r = await fetch(`${BASE}/assets/${module}`);
      assert.equal(r.status, 200, module);
      assert.match(r.headers.get('content-type'), /^text\/javascript/, module);
      assert.equal(r.headers.get('cache-control'), 'no-cache', module);
      assert.equal(await r.text(), await readFile(join(here, '../../assets/dashboard', module), 'utf8'), module);
    }
    await page.goto(`${BASE}/#law`, { waitUntil: 'load' });
    // The entry module, and through its imports every other one, loaded
    // (a module left out of the server's list would be a 404 and stop the page).
    const entry = await page.$eval('script[src="/assets/app.js"]', (el) => el.type);
    assert.equal(entry, 'module');
    await page.waitForFunction(() => document.title === 'obscaling · Scaling law');
    const loaded = await page.evaluate(() => performance.getEntriesByType('resource')
      .map((e) => new URL(e.name).pathname).filter((path) => path.startsWith('/assets/') && !path.startsWith('/assets/vendor/')));
    for (const module of modules) assert.ok(loaded.includes(`/assets/${module}`), `the page loaded ${module}`);
  });

  it('catches a CSP violation when there is one (the listener works, the policy holds)', async () => {
    await page.goto(`${BASE}/`, { waitUntil: 'load' });
    const seen = [];
    expectingViolations = true;
    try {
      const caught = await page.evaluate(async () => {
        const events = [];
        document.addEventListener('securitypolicyviolation', (e) => events.push(e.violatedDirective));
        const style = document.createElement('style');
        style.textContent = 'body { outline: 1px solid red; }';
        document.head.append(style);
        // From a task of the page's own: DevTools' evaluation itself may eval.
        const evalRefused = await new Promise((done) => setTimeout(() => {
          try { (0, eval)('1 + 1'); done(false); } catch (err) { done(err instanceof EvalError); }
        }, 0));
        style.remove();
        // Without the expression interpreter, Vega compiles expressions with
        // Function(), which the policy refuses: the page's embed options matter.
        const spec = {
          data: { values: [{ a: 1 }, { a: 2 }] }, mark: 'point',
          encoding: { x: { field: 'a', type: 'quantitative' } },
          transform: [{ filter: 'datum.a > 1' }],
        };
        const withoutInterpreter = await new Promise((done) => setTimeout(() => {
          vegaEmbed(document.createElement('div'), spec, { renderer: 'svg', actions: false, defaultStyle: false, tooltip: false })
            .then(() => done('rendered'), (err) => done(err instanceof EvalError ? 'EvalError' : String(err)));
        }, 0));
        await new Promise((r) => setTimeout(r, 100)); // violation events are dispatched asynchronously
        return { events, evalRefused, withoutInterpreter };
      });
      seen.push(...caught.events);
      assert.equal(caught.evalRefused, true, 'eval is refused');
      assert.equal(caught.withoutInterpreter, 'EvalError', 'Vega without the interpreter is refused');
    } finally {
      expectingViolations = false;
    }
    assert.ok(seen.some((d) => d.startsWith('style-src')), `an inline <style> is refused: ${seen}`);
    assert.ok(seen.some((d) => d.startsWith('script-src')), `eval is reported: ${seen}`);
  });

  it('reaches each view by its URL fragment', async () => {
    for (const view of VIEWS) {
      await page.goto(`${BASE}/#${view}`, { waitUntil: 'load' });
      assert.deepEqual(await visibleView(), [view], `#${view}`);
      assert.equal(await page.getAttribute(`[data-testid="nav-${view}"]`, 'aria-current'), 'page', `#${view}`);
      assert.equal(await page.locator('#run').isVisible(), view === 'pca', `#${view}: the PCA button`);
      for (const other of VIEWS.filter((v) => v !== 'pca')) {
        assert.equal(await page.locator(`#run-${other}`).isVisible(), view === other, `#${view}: #run-${other}`);
      }
      assert.equal(await page.locator('#family-column').isVisible(), view !== 'pca' && view !== 'complete',
        `#${view}: family column`);
      assert.equal(await page.locator('#flops-column').isVisible(), view === 'compute-fit' || view === 'law',
        `#${view}: FLOPs column`);
    }
    // The nav links and the browser's history move between views.
    await openView('law');
    assert.equal(new URL(page.url()).hash, '#law');
    assert.deepEqual(await visibleView(), ['law']);
    await openView('compute-fit');
    assert.deepEqual(await visibleView(), ['compute-fit']);
    await page.goBack();
    assert.equal(new URL(page.url()).hash, '#law');
    await page.waitForSelector('[data-testid="nav-law"][aria-current="page"]');
    assert.deepEqual(await visibleView(), ['law']);
    // No fragment, or an unknown one, is the PCA view.
    await page.goto(`${BASE}/#nope`, { waitUntil: 'load' });
    assert.deepEqual(await visibleView(), ['pca']);
    await page.goto(`${BASE}/`, { waitUntil: 'load' });
    assert.deepEqual(await visibleView(), ['pca']);
  });

  it('runs the paper example and draws the API\'s three charts and the table', async () => {
    const query = new URLSearchParams(EXAMPLE_QUERY);
    query.set('charts', 'true');
    const expected = await apiPca(query);
    assert.equal(expected.status, 200, expected.text);
    const k = expected.body.n_components;
    exampleCharts = expected.body.charts;

    await page.goto(`${BASE}/#pca`, { waitUntil: 'load' });
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.click('#load-example');
    await page.waitForFunction(() => document.querySelectorAll('#benchmark-list input:checked').length === 8);
    assert.equal(await page.inputValue('#model-column'), 'Model');
    assert.equal(await page.inputValue('#color-by'), 'Model Family');
    assert.equal(await page.inputValue('#missing'), 'iterative_pca');

    const response = await clickAndCatch('#run', '/v1/pca');
    assert.equal(response.status(), 200);
    const sent = new URL(response.url()).searchParams;
    assert.equal(sent.get('benchmarks'), EXAMPLE_BENCHMARKS.join(','));
    assert.equal(sent.get('group_column'), 'Model Family', 'the service groups the models');
    assert.equal(sent.get('missing'), 'iterative_pca');
    assert.equal(sent.get('imputation_bounds'), '0,1');
    assert.equal(sent.get('charts'), 'true');
    assert.equal(response.request().headers()['content-type'], 'text/csv');
    const body = await response.json();
    assert.equal(body.n_components, k);
    assert.equal(body.imputed.length, 6);
    assert.deepEqual(Object.keys(body.charts).sort(), ['loadings', 'scatter', 'scree']);

    await page.waitForSelector(MARKS('scatter', 'symbol'));
    await page.waitForFunction(() => ['scree', 'loadings', 'scatter']
      .every((id) => document.getElementById(id).dataset.rendered === 'true'));
    // Scree: a bar per component, the cumulative line with a point per component.
    assert.equal(await count(MARKS('scree', 'rect')), k, 'one scree bar per component');
    assert.equal(await count(MARKS('scree', 'line')), 1, 'the cumulative line');
    assert.equal(await count(MARKS('scree', 'symbol')), k, 'a point per component on the line');
    // Loadings: a cell and a written value per benchmark and component, the
    // values those of the API's components.
    assert.equal(await count(MARKS('loadings', 'rect')), 8 * k, 'one heatmap cell per benchmark and component');
    const cellTexts = (await texts(MARKS('loadings', 'text'))).map(unminus).sort();
    assert.deepEqual(cellTexts, body.components.flat().map(twoDecimals).sort(), 'the loadings written in the cells');
    const loadingsAxes = await texts('#loadings svg .role-axis-label text');
    for (const b of EXAMPLE_BENCHMARKS) assert.ok(loadingsAxes.includes(b), `axis label ${b}`);
    // Scatter: a point per model, coloured by family with a legend entry each.
    assert.equal(await count(MARKS('scatter', 'symbol')), 77, 'one point per model');
    const families = new Set(exampleCsv.trim().split('\n').slice(1).map((line) => line.split(',')[1]));
    const legend = await texts('#scatter svg .role-legend-label text');
    assert.deepEqual([...legend].sort(), [...families].sort(), 'one legend entry per model family');
    assert.deepEqual(await texts('#scatter svg .role-legend-title text'), ['Model Family']);
    const scatterTitle = await texts('#scatter svg .role-title-text text');
    assert.deepEqual(scatterTitle, await sceneTitle(body.charts.scatter));
    assert.deepEqual(scatterTitle, ['PC1 vs PC2']);

    assert.equal(await count('#projections table tbody tr'), 77, 'one row per model');
    assert.equal(await page.locator('#error').isHidden(), true);
    assert.match(await page.textContent('#summary'), /77 models × 8 benchmarks/);
    // Nothing injected a style element (vega-embed and its tooltip are told not to).
    assert.equal(await count('style'), 0);

    // The page shows what the API computed.
    const first = await page.$$eval('#projections tbody tr:first-child td', (tds) => tds.map((td) => td.textContent));
    assert.equal(first[1].replace(/imputed$/, ''), body.models[0]);
    assert.equal(Number(first[3]).toFixed(4), body.projections[0][0].toFixed(4));
  });

  it('shows the model name on hover', async () => {
    const point = page.locator(MARKS('scatter', 'symbol')).first();
    await point.hover();
    const tip = page.locator('#vg-tooltip-element.visible');
    await tip.waitFor({ state: 'visible' });
    const keys = await tip.locator('td.key').allTextContents();
    const values = await tip.locator('td.value').allTextContents();
    assert.deepEqual(keys.slice(0, 2), ['Model', 'Model Family']);
    const models = exampleCsv.trim().split('\n').slice(1).map((line) => line.split(',')[0]);
    assert.ok(models.includes(values[0]), `${values[0]} is a model`);
    await page.mouse.move(0, 0);
  });

  it('sorts the table by a PC column', async () => {
    await page.click('#projections th[data-key="pc0"] button');
    assert.equal(await page.getAttribute('#projections th[data-key="pc0"]', 'aria-sort'), 'ascending');
    const ascending = await columnValues('pc0');
    assert.equal(ascending.length, 77);
    assert.ok(isSorted(ascending, 1), 'PC1 ascending');
    await page.click('#projections th[data-key="pc0"] button');
    assert.equal(await page.getAttribute('#projections th[data-key="pc0"]', 'aria-sort'), 'descending');
    const descending = await columnValues('pc0');
    assert.ok(isSorted(descending, -1), 'PC1 descending');
    assert.deepEqual(descending, [...ascending].reverse());
    await page.click('#projections th[data-key="index"] button');
  });

  it('downloads the projections, the result and each chart as PNG, SVG and Vega-Lite', async () => {
    const csv = (await download('download-csv')).bytes.toString('utf8').trim().split('\n');
    assert.equal(csv.length, 78);
    assert.equal(csv[0], `model,${Array.from({ length: 8 }, (_, i) => `PC${i + 1}`).join(',')}`);
    const result = JSON.parse((await download('download-json')).bytes);
    assert.equal(result.models.length, 77);
    assert.equal(result.projections.length, 77);

    for (const chart of ['scree', 'loadings', 'scatter']) {
      // vega-embed's menu: saving as PNG and SVG, nothing that leaves the page.
      const actions = await page.$$eval(`#${chart} .vega-actions a`, (as) => as.map((a) => a.textContent));
      assert.deepEqual(actions, ['Save as SVG', 'Save as PNG'], `${chart}: the actions`);
      const png = await saveChart(`#${chart}`, 'png');
      assert.equal(png.name, `paper_set_77_pca_${chart}.png`);
      assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${chart}: PNG`);
      assert.ok(png.bytes.readUInt32BE(16) > 200 && png.bytes.readUInt32BE(20) > 150, `${chart}: PNG size`);
      const svgFile = await saveChart(`#${chart}`, 'svg');
      assert.equal(svgFile.name, `paper_set_77_pca_${chart}.svg`);
      const svg = svgFile.bytes.toString('utf8');
      assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/, `${chart}: SVG`);
      const spec = JSON.parse((await download(`download-${chart}-spec`)).bytes);
      assert.match(spec.$schema, /vega-lite\/v5/, `${chart}: a Vega-Lite spec`);
      if (chart === 'scatter') {
        // The API's spec coloured by family (group_column), its legend
        // titled with the column's name.
        const query = new URLSearchParams(EXAMPLE_QUERY);
        query.set('charts', 'true');
        query.set('group_column', 'Model Family');
        const grouped = (await apiPca(query)).body.charts.scatter;
        for (const channel of [grouped.encoding.color, grouped.encoding.shape, ...grouped.encoding.tooltip]) {
          if (channel.field === 'group') channel.title = 'Model Family';
        }
        assert.deepEqual(spec, grouped, 'the API\'s grouped scatter, titled');
        assert.deepEqual(spec.data.values.map(({ group, ...rest }) => rest), exampleCharts.scatter.data.values);
        assert.equal((svg.match(/<path /g) ?? []).length >= 77, true, 'scatter SVG has the points');
      } else {
        assert.deepEqual(spec, exampleCharts[chart], `${chart}: the API's spec as it is`);
      }
    }
  });

  it('moves the scatter to other components', async () => {
    // The spec's own menus (its parameters x_pc and y_pc), under the chart.
    const x = '#scatter .vega-bindings select[name="x_pc"]';
    const labels = await page.$$eval(`${x} option`, (os) => os.map((o) => o.textContent));
    assert.equal(labels.length, 8);
    assert.match(labels[2], /^PC3 \(\d+\.\d% of variance\)$/);
    // Each model's x, as drawn (the models' layer, in data order).
    const xs = () => page.$$eval(MARKS('scatter', 'symbol'), (paths) => paths
      .map((p) => Number(p.getAttribute('transform').match(/translate\(([-\d.e]+),/)[1])));
    // Does the drawn x order the models as component `pc` does?
    const follows = (drawn, pc) => {
      const values = exampleCharts.scatter.data.values.map((v) => v[pc]);
      return drawn.length === values.length && drawn.every((xi, i) => drawn.every((xj, j) => (
        Math.sign(xi - xj) === Math.sign(values[i] - values[j]))));
    };
    assert.ok(follows(await xs(), 'PC1'), 'x is PC1 at first');
    await page.selectOption(x, '3');
    await page.waitForFunction(() => document.querySelector('#scatter svg .role-title-text text')?.textContent === 'PC3 vs PC2');
    assert.equal(await count(MARKS('scatter', 'symbol')), 77);
    assert.deepEqual(await texts('#scatter svg .role-title-text text'), ['PC3 vs PC2']);
    assert.ok(follows(await xs(), 'PC3'), 'x is PC3');
    await page.selectOption(x, '1');
    await page.waitForFunction(() => document.querySelector('#scatter svg .role-title-text text')?.textContent === 'PC1 vs PC2');
  });

  it('saves a screenshot', async () => {
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.mouse.move(0, 0);
    const path = join(SCREENSHOT_DIR, 'dashboard.png');
    await page.screenshot({ path, fullPage: true });
    const png = await readFile(path);
    assert.ok(png.length > 10_000);
    console.log(`screenshot: ${path}`);
  });

  it('downloads the fitted basis and places pasted models on the scatter', async () => {
    const basisFile = await download('download-basis');
    assert.equal(basisFile.name, 'paper_set_77_pca_basis.json');
    const basis = JSON.parse(basisFile.bytes);
    assert.equal(basis.format, 'obscaling.basis/v1');
    assert.deepEqual(basis.benchmarks, EXAMPLE_BENCHMARKS);
    assert.match(basis.fingerprint, /^[0-9a-f]{64}$/);
    const result = JSON.parse((await download('download-json')).bytes);

    // Two fitted models' complete rows under new names: placed exactly where
    // the fit put them (scikit-learn's transform of a fitted row is its
    // projection; docs/basis.md).
    const [header, ...lines] = exampleCsv.trim().split('\n');
    const names = header.split(',');
    const complete = lines.map((l) => l.split(',')).filter((cells) => EXAMPLE_BENCHMARKS.every((b) => cells[names.indexOf(b)] !== ''));
    const picked = complete.slice(0, 2);
    const pasted = [['Model', ...EXAMPLE_BENCHMARKS].join(',')]
      .concat(picked.map((cells, i) => [`new-${i}`, ...EXAMPLE_BENCHMARKS.map((b) => cells[names.indexOf(b)])].join(',')))
      .join('\n');
    await page.fill('#new-models', pasted);
    const response = await clickAndCatch('#place-models', '/v1/pca/transform');
    assert.equal(response.status(), 200);
    assert.match(response.request().headers()['content-type'], /^multipart\/form-data; boundary=/);
    const placed = await response.json();
    assert.equal(placed.fingerprint, basis.fingerprint);
    assert.deepEqual(placed.models, ['new-0', 'new-1']);
    picked.forEach((cells, i) => {
      const fitted = result.projections[result.models.indexOf(cells[0])];
      placed.projections[i].forEach((v, c) => assert.ok(Math.abs(v - fitted[c]) < 1e-9, `new-${i} PC${c + 1}: ${v} vs ${fitted[c]}`));
    });
    // 77 fitted models and 2 placed ones, the placed as diamonds of their own layer.
    await page.waitForFunction(() => document.querySelectorAll('#scatter svg g.mark-symbol.role-mark > path').length === 79);
    assert.equal(await count('#scatter svg g.mark-symbol.role-mark'), 2, 'a layer of its own');
    assert.match(await page.textContent('#placed-summary'), /2 models placed/);
    // Each diamond sits on the point of the model whose scores it copies,
    // on the components picked, before and after another is picked.
    const positions = () => page.$$eval('#scatter svg g.mark-symbol.role-mark', (groups) => groups
      .map((g) => [...g.children].map((p) => p.getAttribute('transform').match(/translate\(([^,]+),([^)]+)\)/).slice(1).map(Number))));
    const onTheirModels = async () => {
      const [points, diamonds] = await positions();
      picked.forEach((cells, i) => {
        // The placed projections equal the fitted ones to 1e-9 (above): a pixel's millionth here.
        const point = points[result.models.indexOf(cells[0])];
        diamonds[i].forEach((v, axis) => assert.ok(Math.abs(v - point[axis]) < 1e-6, `new-${i}: ${diamonds[i]} vs ${point}`));
      });
    };
    await onTheirModels();
    await page.selectOption('#scatter .vega-bindings select[name="x_pc"]', '3');
    await page.waitForFunction(() => document.querySelector('#scatter svg .role-title-text text')?.textContent === 'PC3 vs PC2');
    await onTheirModels();
    await page.selectOption('#scatter .vega-bindings select[name="x_pc"]', '1');
    await page.waitForFunction(() => document.querySelector('#scatter svg .role-title-text text')?.textContent === 'PC1 vs PC2');
  });

  it("shows the API's error in words", async () => {
    const query = new URLSearchParams(EXAMPLE_QUERY);
    query.set('missing', 'reject');
    for (const key of ['imputation_rank', 'imputation_bounds']) query.delete(key);
    const problem = await apiPca(query);
    assert.equal(problem.status, 422);
    assert.equal(problem.type, 'application/problem+json');

    expectedStatuses.add(422);
    try {
      await page.selectOption('#missing', 'reject');
      const response = await clickAndCatch('#run', '/v1/pca');
      assert.equal(response.status(), 422);
      const error = page.locator('#error');
      await error.waitFor({ state: 'visible' });
      const text = await error.textContent();
      assert.ok(text.includes(problem.body.title), `${text} includes ${problem.body.title}`);
      assert.ok(text.includes(problem.body.detail), `${text} includes ${problem.body.detail}`);
      assert.equal(await page.locator('#results').isHidden(), true);
    } finally {
      expectedStatuses.delete(422);
    }
    await page.selectOption('#missing', 'iterative_pca');
  });

  it('fills the scaling views\' pickers from the loaded table and posts their parameters', async () => {
    // The paper example is still loaded: its metadata columns are guessed.
    await openView('compute-fit');
    assert.equal(await page.inputValue('#family-column'), 'Model Family');
    assert.equal(await page.inputValue('#flops-column'), 'FLOPs (1E21)');
    assert.equal(await page.locator('#params-column').isVisible(), false);
    await page.selectOption('#compute-source', 'params_tokens');
    assert.equal(await page.locator('#flops-column').isVisible(), false);
    assert.equal(await page.inputValue('#params-column'), 'Model Size (B)');
    assert.equal(await page.inputValue('#tokens-column'), 'Pretraining Data Size (T)');
    await page.selectOption('#compute-source', 'flops');

    const families = [...new Set(exampleCsv.trim().split('\n').slice(1).map((line) => line.split(',')[1]))];
    const cases = [
      {
        view: 'compute-fit', path: '/v1/scaling/compute-fit',
        fill: async () => { await page.fill('#min-family-size', '4'); },
        expect: { family_column: 'Model Family', flops_column: 'FLOPs (1E21)', min_family_size: '4' },
      },
      {
        view: 'law', path: '/v1/scaling/law',
        fill: async () => {
          assert.equal(await count('#target-columns input'), 11, 'every numeric column but the model column');
          // The paper example's preset (GSM8K), replaced.
          assert.deepEqual(await page.$$eval('#target-columns input:checked', (bs) => bs.map((b) => b.value)), ['GSM8K']);
          await page.uncheck('#target-columns input[value="GSM8K"]');
          await page.check('#target-columns input[value="HumanEval"]');
          await page.fill('#max-train-flops', '84');
          assert.deepEqual((await texts('#reference-family option')).slice(1).sort(), [...families].sort());
          await page.selectOption('#reference-family', 'Llama-2');
        },
        expect: {
          target_columns: 'HumanEval', max_train_flops: '84', reference_family: 'Llama-2',
          family_column: 'Model Family', flops_column: 'FLOPs (1E21)',
        },
      },
      {
        view: 'design', path: '/v1/scaling/select-families',
        fill: async () => {
          assert.equal(await count('#required-families input'), families.length);
          await page.check('#required-families input[value="Llama-2"]');
          await page.check('#required-families input[value="Qwen1.5"]');
          await page.fill('#max-models', '25');
          await page.fill('#top', '3');
        },
        expect: { family_column: 'Model Family', max_models: '25', required_families: 'Llama-2,Qwen1.5', top: '3' },
      },
    ];
    for (const { view, path, fill, expect } of cases) {
      await openView(view);
      await fill();
      // The whole query the page should send, and what the service answers to
      // it today, so the page can be held to that: a chart per returned spec,
      // or the problem in words.
      const query = new URLSearchParams({
        model_column: 'Model', benchmarks: EXAMPLE_BENCHMARKS.join(','), sign: 'positive_sum',
        missing: 'iterative_pca', imputation_rank: '1', imputation_bounds: '0,1', charts: 'true', ...expect,
      });
      const answer = await api(path, query);
      expectedStatuses.add(answer.status);
      try {
        const responsePromise = page.waitForResponse((r) => new URL(r.url()).pathname === path);
        await page.click(`#run-${view}`);
        const response = await responsePromise;
        const request = response.request();
        const sent = new URL(request.url()).searchParams;
        assert.deepEqual(Object.fromEntries([...sent].sort()), Object.fromEntries([...query].sort()), `${view}: query`);
        assert.equal(request.headers()['content-type'], 'text/csv', `${view}: body type`);
        assert.equal(request.postData(), exampleCsv, `${view}: the CSV as loaded`);
        assert.equal(response.status(), answer.status, `${view}: status`);
        if (answer.status === 200) {
          const names = Object.keys(answer.body.charts ?? {});
          await page.waitForFunction((v) => {
            const out = document.querySelector(`[data-testid="${v}-output"]`);
            return out && !out.hidden && [...out.querySelectorAll('.chart-body')].every((c) => c.dataset.rendered === 'true');
          }, view);
          assert.equal(await count(`[data-testid="${view}-output"] .chart-body svg`), names.length, `${view}: a chart per spec`);
        } else {
          const error = page.locator('#error');
          await error.waitFor({ state: 'visible' });
          const text = await error.textContent();
          const title = answer.body?.title ?? `${answer.status}`;
          assert.ok(text.includes(title), `${view}: ${text} includes ${title}`);
          if (answer.body?.detail) assert.ok(text.includes(answer.body.detail), `${view}: ${text} has the detail`);
        }
      } finally {
        // The console line of a non-2xx answer may come after the response.
        await page.waitForTimeout(200);
        expectedStatuses.delete(answer.status);
      }
    }
  });

  it('draws every scaling view from the task example as the service answers it', async () => {
    const rows = csvRows(tasksCsv);
    assert.equal(rows.length, 77);
    const common = {
      model_column: 'Model', benchmarks: EXAMPLE_BENCHMARKS.join(','), sign: 'positive_sum',
      missing: 'iterative_pca', imputation_rank: '1', imputation_bounds: '0,1', charts: 'true',
    };
    const familySizes = new Map();
    for (const r of rows) if (r['FLOPs (1E21)'] !== '') familySizes.set(r['Model Family'], (familySizes.get(r['Model Family']) ?? 0) + 1);
    const cases = [
      {
        view: 'compute-fit', path: '/v1/scaling/compute-fit',
        query: { family_column: 'Model Family', flops_column: 'FLOPs (1E21)' },
        check: async (body, counts) => {
          // Families of at least 3 models of known compute (the default
          // min_family_size), counted from the file.
          const fitted = [...familySizes].filter(([, n]) => n >= 3).map(([f]) => f);
          assert.deepEqual(body.families.map((f) => f.family).sort(), [...fitted].sort());
          // Every model of known compute is drawn, excluded families too.
          const known = rows.filter((r) => r['FLOPs (1E21)'] !== '').length;
          const k = body.pca.n_components;
          assert.equal(counts.pc_vs_compute.symbol, known * k, 'a point per model of known compute and component');
          assert.equal(counts.pc_vs_compute.line, fitted.length * k, 'a line per family and component');
        },
      },
      {
        view: 'law', path: '/v1/scaling/law',
        query: {
          target_columns: WORD_UNSCRAMBLING, family_column: 'Model Family', flops_column: 'FLOPs (1E21)',
          max_train_flops: '84', reference_family: 'Llama-2',
        },
        check: async (body, counts) => {
          const labelled = rows.filter((r) => r[WORD_UNSCRAMBLING] !== '');
          // Split by compute (docs/api.md): labelled models of known compute
          // up to the cutoff train; every other labelled model tests.
          const train = labelled.filter((r) => r['FLOPs (1E21)'] !== '' && Number(r['FLOPs (1E21)']) <= 84);
          assert.equal(body.metrics.n_train, train.length);
          assert.equal(body.metrics.n_test, labelled.length - train.length);
          // docs/charts.md: every model is a point, an unlabeled one at its prediction.
          assert.equal(counts.law.symbol, rows.length, 'a point per model');
          assert.equal(counts.law.line, 1, 'the fitted law');
          assert.equal(counts.predicted_vs_observed.symbol, labelled.length);
          assert.equal(body.reference.family, 'Llama-2');
        },
      },
      {
        view: 'design', path: '/v1/scaling/select-families',
        query: { family_column: 'Model Family', max_models: '25', required_families: 'Llama-2,Qwen1.5', top: '3' },
        check: async (body, counts) => {
          assert.equal(body.budgets.length, 1);
          assert.equal(body.budgets[0].best.length, 3);
          for (const best of body.budgets[0].best) {
            assert.ok(best.families.includes('Llama-2') && best.families.includes('Qwen1.5'), best.families.join());
          }
          assert.equal(counts.designs.rect, 3 + 2, 'a bar per design shown and the random mean and median');
          // Beside the chart, a table names each design's families and its models.
          const table = await page.$$eval('[data-testid="design-table"] tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
          assert.deepEqual(table, body.budgets[0].best.map((best, i) => [
            `≤ 25 models, best #${i + 1}`, String(best.n_models), best.criterion.toFixed(3), best.families.join(', '),
            best.models.join(', ')]));
          for (const best of body.budgets[0].best) {
            const models = best.families.flatMap((f) => rows.filter((r) => r['Model Family'] === f).map((r) => r.Model));
            assert.deepEqual(best.models, models, `${best.families}: every model of its families, family by family`);
            assert.equal(best.n_models, models.length);
            assert.ok(models.length <= 25, 'within the budget');
          }
          const chart = await page.locator('[data-testid="design-chart-designs"]').boundingBox();
          const panel = await page.locator('[data-testid="design-table"]').boundingBox();
          assert.ok(panel.x >= chart.x + chart.width, `the table is beside the chart: ${JSON.stringify({ chart, panel })}`);
        },
      },
    ];
    for (const { view, path, query, check } of cases) {
      await page.goto(`${BASE}/#${view}`, { waitUntil: 'load' });
      const expected = new URLSearchParams({ ...common, ...query });
      const answer = await api(path, expected, tasksCsv);
      assert.equal(answer.status, 200, `${view}: ${answer.text.slice(0, 300)}`);
      const names = Object.keys(answer.body.charts).sort();
      assert.ok(names.length > 0, `${view}: charts`);
      // Loading the example runs the view with its preset options.
      const response = await clickAndCatch('[data-testid="load-example-tasks"]', path);
      const sent = new URL(response.url()).searchParams;
      assert.deepEqual(Object.fromEntries([...sent].sort()), Object.fromEntries([...expected].sort()), `${view}: query`);
      assert.equal(response.request().postData(), tasksCsv, `${view}: the CSV as served`);
      assert.equal(response.status(), 200);
      assert.deepEqual(await response.json(), answer.body, `${view}: the page got what the API answers`);
      await page.waitForFunction(({ v, n }) => {
        const bodies = [...document.querySelectorAll(`[data-testid="${v}-output"] .chart-body`)];
        return bodies.length === n && bodies.every((c) => c.dataset.rendered === 'true');
      }, { v: view, n: names.length });
      const counts = {};
      for (const name of names) {
        const selector = `[data-testid="${view}-chart-${name}"]`;
        counts[name] = await drawnCounts(selector);
        // What the page drew is what Vega draws from the returned spec.
        const expectedItems = await sceneCounts(answer.body.charts[name]);
        for (const type of ['symbol', 'rect', 'rule', 'line']) {
          assert.equal(counts[name][type] ?? 0, expectedItems[type] ?? 0, `${view} ${name}: ${type} items`);
        }
      }
      await check(answer.body, counts);
      assert.equal(await page.locator('#error').isHidden(), true, `${view}: no error`);
      if (view === 'law' || view === 'design') {
        await mkdir(SCREENSHOT_DIR, { recursive: true });
        await page.mouse.move(0, 0);
        const file = join(SCREENSHOT_DIR, `dashboard-${view}.png`);
        await page.screenshot({ path: file, fullPage: false });
        console.log(`screenshot: ${file}`);
      }
    }
  });

  it('says what is missing before asking the service', async () => {
    await openView('design');
    await page.fill('#max-models', '');
    let posted = false;
    const listener = (r) => { if (new URL(r.url()).pathname.startsWith('/v1/')) posted = true; };
    page.on('request', listener);
    await page.click('#run-design');
    await page.locator('#error').waitFor({ state: 'visible' });
    assert.match(await page.textContent('#error'), /No budget/);
    page.off('request', listener);
    assert.equal(posted, false);
    await openView('pca');
    assert.equal(await page.locator('#error').isHidden(), true, 'a view change clears the message');
  });

  it('predicts a family\'s larger models (#skills) as the service answers them', async () => {
    const csv = await readFile(SKILLS_EXAMPLE, 'utf8');
    const rows = csvRows(csv);
    await page.goto(`${BASE}/#skills`, { waitUntil: 'load' });
    // The law reads parameters and tokens: their pickers, whatever the compute source.
    assert.equal(await page.locator('#compute-source').isVisible(), false);
    assert.equal(await page.locator('#params-column').isVisible(), true);
    assert.equal(await page.locator('#tokens-column').isVisible(), true);
    assert.equal(await page.locator('#n-components').isVisible(), false, 'no PCA options: the law has no PCs');

    // The example runs the view with its preset family and sizes.
    const preset = await clickAndCatch('[data-testid="load-example-skills"]', '/v1/scaling/predict');
    assert.equal(preset.status(), 200);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="skills-predictions"] tbody tr').length === 3);
    assert.deepEqual(JSON.parse(preset.request().postData()).models, ['qwen2 1.5B 7T', 'qwen2 7B 7T', 'qwen2 72B 7T']);
    assert.equal(await page.inputValue('#params-column'), '#Params (B)');
    assert.equal(await page.inputValue('#tokens-column'), 'Pretraining Data Size (T)');
    assert.equal(await page.inputValue('#family-column'), 'Family');

    // A user's choice: another family of the table, two sizes typed in.
    const families = [...new Set(rows.map((r) => r.Family))];
    assert.deepEqual((await page.$$eval('#skills-family option', (os) => os.map((o) => o.value))).slice(1), families);
    await page.selectOption('#skills-family', 'olmo');
    await page.fill('#skills-sizes', '13, 5\n\n70, 5, olmo-70b\n');
    const sizes = { models: ['olmo 13B 5T', 'olmo-70b'], params: [13, 70], tokens: [5, 5], families: ['olmo', 'olmo'] };

    // The same two requests, from the page's context: what the service answers.
    const query = new URLSearchParams({
      model_column: 'Model', benchmarks: V2_BENCHMARKS.join(','), family_column: 'Family',
      params_column: '#Params (B)', tokens_column: 'Pretraining Data Size (T)', floors: V2_FLOORS.join(','),
      link: 'monotone', return_basis: 'true', charts: 'true',
    });
    const expected = await page.evaluate(async ({ q, body, models }) => {
      const skills = await (await fetch(`/v1/scaling/skills?${q}`, {
        method: 'POST', headers: { 'Content-Type': 'text/csv' }, body,
      })).json();
      const predicted = await (await fetch('/v1/scaling/predict', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ basis: skills.basis, ...models }),
      })).json();
      return { skills, predicted };
    }, { q: query.toString(), body: csv, models: sizes });
    assert.deepEqual(expected.predicted.benchmarks, V2_BENCHMARKS, JSON.stringify(expected.predicted).slice(0, 300));

    const skillsAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/scaling/skills');
    const predictAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/scaling/predict');
    await page.click('#run-skills');
    const skills = await skillsAnswer;
    const sent = new URL(skills.url()).searchParams;
    assert.deepEqual(Object.fromEntries([...sent].sort()), Object.fromEntries([...query].sort()), 'the skills query');
    assert.equal(skills.request().postData(), csv, 'the CSV as served');
    const predict = await predictAnswer;
    assert.equal(predict.status(), 200);
    const posted = JSON.parse(predict.request().postData());
    assert.deepEqual({ ...posted, basis: undefined }, { ...sizes, basis: undefined }, 'the typed sizes');
    assert.deepEqual(posted.basis, expected.skills.basis, 'the basis the skills answer holds');

    const names = Object.keys(expected.skills.charts).sort();
    assert.deepEqual(names, ['efficiencies', 'loadings', 'predicted_vs_observed']);
    await page.waitForFunction((n) => {
      const bodies = [...document.querySelectorAll('[data-testid="skills-output"] .chart-body')];
      return document.querySelectorAll('[data-testid="skills-predictions"] tbody tr').length === 2
        && bodies.length === n && bodies.every((c) => c.dataset.rendered === 'true' && c.querySelector('svg, canvas'));
    }, names.length);

    // One row per typed size, one column per benchmark: the service's
    // predictions, written with four decimals, each in (0, 1).
    const table = await page.$eval('[data-testid="skills-predictions"] table', (t) => ({
      head: [...t.tHead.rows[0].cells].map((c) => c.textContent),
      rows: [...t.tBodies[0].rows].map((r) => [...r.cells].map((c) => c.textContent)),
    }));
    assert.deepEqual(table.head, ['Model', 'Parameters (B)', 'Tokens (T)', ...V2_BENCHMARKS]);
    assert.equal(table.rows.length, 2);
    expected.predicted.predictions.forEach((p, i) => {
      const row = table.rows[i];
      assert.equal(row[0], sizes.models[i]);
      assert.equal(p.model, sizes.models[i]);
      assert.deepEqual(row.slice(1, 3).map(Number), [sizes.params[i], sizes.tokens[i]]);
      V2_BENCHMARKS.forEach((b, j) => {
        const shown = Number(row[3 + j]);
        assert.ok(shown > 0 && shown < 1, `${p.model} ${b}: ${row[3 + j]} in (0, 1)`);
        assert.ok(Math.abs(shown - p.predicted[j]) <= 0.5e-4 + 1e-12, `${p.model} ${b}: ${row[3 + j]} vs ${p.predicted[j]}`);
      });
    });
    // The answer's observed scores are the CSV's (none held out without an
    // evaluation), a row per prediction.
    assert.deepEqual(expected.skills.observed.map((o) => o.model), expected.skills.predictions.map((p) => p.model));
    for (const o of expected.skills.observed) {
      const r = rows.find((row) => row.Model === o.model);
      assert.deepEqual(o.scores, V2_BENCHMARKS.map((b) => (r[b] === '' ? null : Number(r[b]))), o.model);
      assert.equal(o.held_out, false, o.model);
    }
    // The family's models in the table: their scores as the CSV has them.
    const observed = await page.$$eval('[data-testid="skills-observed"] tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    const olmo = rows.filter((r) => r.Family === 'olmo');
    assert.equal(observed.length, 2 * olmo.length, 'a score row and a fit row per model');
    olmo.forEach((r, i) => {
      const scoreRow = observed[2 * i];
      assert.deepEqual(scoreRow.slice(0, 2), [r.Model, 'score']);
      V2_BENCHMARKS.forEach((b, j) => assert.equal(Number(scoreRow[2 + j]), Number(r[b]), `${r.Model} ${b}`));
    });

    // What the page drew is what Vega draws from the returned specs.
    for (const name of names) {
      const drawn = await drawnCounts(`[data-testid="skills-chart-${name}"]`);
      const scene = await sceneCounts(expected.skills.charts[name]);
      for (const type of ['symbol', 'rect', 'rule', 'line']) {
        assert.equal(drawn[type] ?? 0, scene[type] ?? 0, `skills ${name}: ${type} items`);
      }
    }
    assert.equal(await page.locator('#error').isHidden(), true);

    // The predictions' CSV: every digit of the service's numbers.
    const file = await download('skills-download-csv');
    assert.equal(file.name, 'leaderboard_v2_skills_skills_predictions.csv');
    const lines = file.bytes.toString('utf8').trim().split('\n');
    assert.equal(lines[0], ['model', 'family', 'params_B', 'tokens_T', ...V2_BENCHMARKS].join(','));
    assert.equal(lines.length, 3);
    expected.predicted.predictions.forEach((p, i) => {
      const cells = lines[i + 1].split(',');
      assert.deepEqual(cells.slice(0, 4), [p.model, 'olmo', String(sizes.params[i]), String(sizes.tokens[i])]);
      assert.deepEqual(cells.slice(4).map(Number), p.predicted);
    });

    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.mouse.move(0, 0);
    const shot = join(SCREENSHOT_DIR, 'dashboard-skills.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);
  });

  it('says which typed size it cannot read, and shows the service\'s skills errors', async () => {
    let posted = false;
    const listener = (r) => { if (new URL(r.url()).pathname.startsWith('/v1/')) posted = true; };
    page.on('request', listener);
    try {
      for (const [text, line] of [['13, 5\n70 billion, 5', /Line 2 \(“70 billion, 5”\)/], ['13', /Line 1 \(“13”\)/],
        ['0, 5', /Line 1 \(“0, 5”\)/]]) {
        await page.fill('#skills-sizes', text);
        await page.click('#run-skills');
        await page.locator('#error').waitFor({ state: 'visible' });
        const message = await page.textContent('#error');
        assert.match(message, /A size cannot be read/);
        assert.match(message, line);
        assert.equal(await page.locator('[data-testid="skills-output"]').isVisible(), true, 'the last result stays');
      }
      await page.fill('#skills-sizes', '');
      await page.click('#run-skills');
      await page.waitForFunction(() => document.querySelector('#error').textContent.includes('No sizes to predict'));
    } finally {
      page.off('request', listener);
    }
    assert.equal(posted, false, 'nothing asked of the service');

    // Two floors for six benchmarks: the service's problem, in the same box.
    await page.fill('#skills-sizes', '13, 5');
    await page.fill('#skills-floors', '0, 0.25');
    const query = new URLSearchParams({
      model_column: 'Model', benchmarks: V2_BENCHMARKS.join(','), family_column: 'Family',
      params_column: '#Params (B)', tokens_column: 'Pretraining Data Size (T)', floors: '0,0.25',
      link: 'monotone', return_basis: 'true', charts: 'true',
    });
    const problem = await api('/v1/scaling/skills', query, await readFile(SKILLS_EXAMPLE, 'utf8'));
    assert.equal(problem.status, 422, problem.text);
    assert.equal(problem.type, 'application/problem+json');
    expectedStatuses.add(422);
    try {
      const response = await clickAndCatch('#run-skills', '/v1/scaling/skills');
      assert.equal(response.status(), 422);
      await page.waitForFunction((t) => document.querySelector('#error').textContent.includes(t), problem.body.title);
      assert.ok((await page.textContent('#error')).includes(problem.body.detail), problem.body.detail);
      assert.equal(await page.locator('[data-testid="skills-output"]').isHidden(), true, 'no stale predictions');
      await page.waitForTimeout(200); // the console line of the 422 may come after the response
    } finally {
      expectedStatuses.delete(422);
    }
    await page.fill('#skills-floors', V2_FLOORS.join(','));
    await openView('pca');
  });

  it('completes the BenchPress example (#complete): the heatmap, the predictions with their intervals, the probes', async () => {
    // The page posts the text box's value, whose line ends are LF.
    const csv = (await readFile(BENCHPRESS_EXAMPLE, 'utf8')).replace(/\r\n/g, '\n');
    const [header, ...lines] = csv.trim().split('\n');
    const benchmarks = header.split(',').slice(1);
    const missing = lines.reduce((n, line) => n + line.split(',').slice(1).filter((cell) => cell === '').length, 0);
    assert.equal(benchmarks.length, 133);
    assert.equal(lines.length, 84);
    await page.goto(`${BASE}/#complete`, { waitUntil: 'load' });
    assert.equal(await page.locator('#n-components').isVisible(), false, 'no PCA options: the completion has none');
    assert.equal(await page.locator('#load-example-skills').isVisible(), false);
    const licence = await page.getAttribute('[data-testid="view-complete"] a[href$="LICENSE.benchpress.txt"]', 'href');
    const licenceText = await (await fetch(`${BASE}${licence}`)).text();
    assert.match(licenceText, /^Community Data License Agreement - Permissive - Version 2\.0/, 'the data\'s licence travels with it');

    // One click loads the matrix and completes it with the preset options.
    // The debug binary takes about 20 s (scripts/browser-test.sh).
    const response = await clickAndCatch('[data-testid="load-example-benchpress"]', '/v1/complete', 180_000);
    assert.equal(response.status(), 200, await response.text());
    const sent = new URL(response.url()).searchParams;
    assert.equal(sent.get('model_column'), 'model');
    assert.deepEqual(sent.get('benchmarks').split(','), benchmarks, 'every benchmark column');
    assert.equal(sent.get('interval'), '0.9');
    assert.equal(sent.get('probes'), '5');
    assert.equal(sent.get('charts'), 'true');
    assert.equal(response.request().postData(), csv, 'the CSV as served');
    const answer = await response.json();
    // Every empty cell is either predicted or said not to be.
    assert.equal(answer.predictions.length + answer.not_predicted.length, missing);
    assert.ok(answer.predictions.length > 0.9 * missing, `${answer.predictions.length} of ${missing} predicted`);

    const charts = Object.keys(answer.charts ?? {});
    assert.ok(charts.includes('heatmap'), charts.join());
    await page.waitForFunction((n) => {
      const bodies = [...document.querySelectorAll('[data-testid="complete-output"] .chart-body')];
      return bodies.length === n && bodies.every((c) => c.dataset.rendered === 'true' && c.querySelector('svg, canvas'))
        && document.querySelectorAll('[data-testid="complete-predictions"] tbody tr').length > 0;
    }, charts.length, { timeout: 120_000 });
    await page.waitForFunction(() => !document.getElementById('run-complete').disabled);
    assert.equal(await page.locator('#error').isHidden(), true, await page.textContent('#error'));
    // What the page drew is what Vega draws from the returned specs (the
    // heatmap's rects: a cell per model and benchmark drawn).
    for (const name of charts) {
      const drawn = await drawnCounts(`[data-testid="complete-chart-${name}"]`);
      const scene = await sceneCounts(answer.charts[name]);
      for (const type of ['symbol', 'rect', 'rule', 'line']) {
        assert.equal(drawn[type] ?? 0, scene[type] ?? 0, `complete ${name}: ${type} items`);
      }
    }
    assert.ok((await drawnCounts('[data-testid="complete-chart-heatmap"]')).rect > 0, 'the heatmap has cells');

    // The predictions table: a page of rows, each the service's prediction
    // (rounded), lower <= value <= upper.
    const byCell = new Map(answer.predictions.map((p) => [`${p.model}\u0000${p.benchmark}`, p]));
    const tableRows = () => page.$$eval('[data-testid="complete-predictions"] tbody tr',
      (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    const checkRows = (rows, what) => {
      for (const [model, benchmark, value, lower, upper, width] of rows) {
        const p = byCell.get(`${model}\u0000${benchmark}`);
        assert.ok(p, `${what}: ${model} · ${benchmark} is a prediction`);
        const [v, lo, hi] = [value, lower, upper].map(Number);
        assert.ok(lo <= v && v <= hi, `${what}: ${model} · ${benchmark}: ${lower} <= ${value} <= ${upper}`);
        const digits = value.split('.')[1]?.length ?? 0;
        for (const [shown, exact] of [[v, p.value], [lo, p.lower], [hi, p.upper]]) {
          assert.ok(Math.abs(shown - exact) <= 0.5 * 10 ** -digits + 1e-9, `${what}: ${model} · ${benchmark}: ${shown} vs ${exact}`);
        }
        assert.ok(Math.abs(Number(width) - (p.upper - p.lower)) <= 10 ** -digits, `${what}: width ${width}`);
      }
    };
    const head = await page.$$eval('[data-testid="complete-predictions"] thead th', (ths) => ths.map((th) => th.textContent));
    assert.deepEqual(head, ['Model', 'Benchmark', 'Predicted', 'Lower', 'Upper', 'Width']);
    const first = await tableRows();
    assert.equal(first.length, Math.min(100, answer.predictions.length), 'one page of rows');
    checkRows(first, 'page 1');
    assert.equal(await page.textContent('[data-testid="complete-page"]'),
      `rows 1–${first.length} of ${answer.predictions.length}`);
    // Models in natural order, each model's benchmarks in the answer's order.
    assert.deepEqual(first.map((r) => r[0]),
      answer.predictions.map((p) => p.model).sort(new Intl.Collator(undefined, { numeric: true }).compare).slice(0, first.length));
    await page.click('[data-testid="complete-next"]');
    const second = await tableRows();
    checkRows(second, 'page 2');
    assert.equal(await page.textContent('[data-testid="complete-page"]'),
      `rows 101–${100 + second.length} of ${answer.predictions.length}`);
    assert.notDeepEqual(second[0], first[0]);
    // Sorted by the predicted value, both ways, from the first page.
    const values = async () => (await tableRows()).map((r) => Number(r[2]));
    const columnButton = (label) => page.locator('[data-testid="complete-predictions"] thead th button', { hasText: label });
    await columnButton('Width').click();
    const widths = (await tableRows()).map((r) => Number(r[5]));
    assert.ok(isSorted(widths, 1), `widths ascending: ${widths.slice(0, 5)}`);
    assert.equal(await page.textContent('[data-testid="complete-page"]'), `rows 1–${first.length} of ${answer.predictions.length}`);
    const narrowest = Math.min(...answer.predictions.map((p) => p.upper - p.lower));
    assert.ok(Math.abs(widths[0] - narrowest) < 1e-2 * Math.max(1, narrowest), `${widths[0]} vs ${narrowest}`);
    await columnButton('Predicted').click();
    await columnButton('Predicted').click();
    const descending = await values();
    assert.ok(isSorted(descending, -1), `values descending: ${descending.slice(0, 5)}`);
    checkRows(await tableRows(), 'sorted');
    // A filter narrows the table to one model's predictions.
    const model = lines[lines.length - 1].split(',')[0];
    const ofModel = answer.predictions.filter((p) => p.model.toLowerCase().includes(model.toLowerCase())
      || p.benchmark.toLowerCase().includes(model.toLowerCase()));
    await page.fill('[data-testid="complete-filter"]', model);
    const filtered = await tableRows();
    assert.equal(filtered.length, Math.min(100, ofModel.length), model);
    assert.ok(filtered.every((r) => r[0].toLowerCase().includes(model.toLowerCase())), model);
    checkRows(filtered, 'filtered');
    await page.fill('[data-testid="complete-filter"]', '');

    // The cross-validation summary: the answer's figures.
    const cv = await page.$$eval('[data-testid="complete-cv-summary"] tbody td', (tds) => tds.map((td) => td.textContent));
    assert.equal(Number(cv[0]), answer.cross_validation.n);
    assert.ok(Math.abs(Number(cv[1]) - answer.cross_validation.median_abs_error) <= 0.005 + 1e-9, cv[1]);
    assert.equal(cv[3], `${(100 * answer.cross_validation.coverage).toFixed(1)}%`);
    assert.ok(Math.abs(Number(cv[4]) - answer.cross_validation.median_width) <= 0.005 + 1e-9, cv[4]);
    assert.equal(await page.locator('[data-testid="complete-cv-benchmarks"] tbody tr').count(),
      answer.cross_validation.per_benchmark.length);

    // The probes: the k chosen, in order, each with its expected error.
    const probeList = () => page.$$eval('[data-testid="complete-probe-list"] li', (lis) => lis.map((li) => li.dataset.benchmark));
    assert.equal(answer.probes.benchmarks.length, 5);
    assert.deepEqual(await probeList(), answer.probes.benchmarks);
    for (const b of answer.probes.benchmarks) assert.ok(benchmarks.includes(b), b);

    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.mouse.move(0, 0);
    const shot = join(SCREENSHOT_DIR, 'dashboard-complete.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);

    // The predictions' CSV: every digit of the service's numbers.
    const file = await download('complete-download-csv');
    assert.equal(file.name, 'benchpress_matrix_completed.csv');
    const rows = file.bytes.toString('utf8').trim().split('\n');
    assert.equal(rows[0], 'model,benchmark,value,lower,upper');
    assert.equal(rows.length, answer.predictions.length + 1);
    answer.predictions.slice(0, 50).forEach((p, i) => {
      const cells = rows[i + 1].split(',');
      assert.deepEqual([cells[0], cells[1]], [p.model, p.benchmark]);
      assert.deepEqual(cells.slice(2).map(Number), [p.value, p.lower, p.upper]);
    });

    // Another k: the list follows it.
    await page.fill('#complete-probes', '2');
    const again = await clickAndCatch('#run-complete', '/v1/complete', 180_000);
    assert.equal(again.status(), 200);
    assert.equal(new URL(again.url()).searchParams.get('probes'), '2');
    const two = (await again.json()).probes.benchmarks;
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="complete-probe-list"] li').length === 2,
      undefined, { timeout: 120_000 });
    assert.deepEqual(await probeList(), two);
    await page.waitForFunction(() => !document.getElementById('run-complete').disabled);
  });

  it('shows the service\'s completion errors in words, and no stale predictions', async () => {
    await page.fill('#complete-interval', '1.5');
    const query = new URLSearchParams({ model_column: 'Model', benchmarks: EXAMPLE_BENCHMARKS.join(','), interval: '1.5' });
    const problem = await api('/v1/complete', query);
    assert.equal(problem.status >= 400 && problem.status < 500, true, problem.text);
    assert.equal(problem.type, 'application/problem+json');
    expectedStatuses.add(problem.status);
    try {
      const response = await clickAndCatch('#run-complete', '/v1/complete');
      assert.equal(response.status(), problem.status);
      await page.waitForFunction((t) => document.querySelector('#error').textContent.includes(t), problem.body.title);
      assert.equal(await page.locator('[data-testid="complete-output"]').isHidden(), true, 'no stale predictions');
      await page.waitForTimeout(200); // the console line of the 4xx may come after the response
    } finally {
      expectedStatuses.delete(problem.status);
    }
    await page.fill('#complete-interval', '0.9');
    await openView('pca');
  });

  it('offers missing=complete in #pca: the BenchPress example\'s PCA, and each answer\'s warnings shown', async () => {
    const csv = (await readFile(BENCHPRESS_EXAMPLE, 'utf8')).replace(/\r\n/g, '\n');
    const [header, ...lines] = csv.trim().split('\n');
    const missing = lines.reduce((n, line) => n + line.split(',').slice(1).filter((cell) => cell === '').length, 0);
    // The box shows the answer's warnings, each once, with its code.
    const shownWarnings = () => page.$$eval('[data-testid="warnings"] li', (lis) => lis.map((li) => ({ code: li.dataset.code, message: li.textContent })));
    const pcaDrawn = async (body, what) => {
      await page.waitForFunction(() => ['scree', 'loadings', 'scatter']
        .every((id) => document.getElementById(id).dataset.rendered === 'true'), undefined, { timeout: 120_000 });
      await page.waitForFunction(() => !document.getElementById('run').disabled);
      assert.equal(await page.locator('#error').isHidden(), true, `${what}: ${await page.textContent('#error')}`);
      for (const name of ['scree', 'loadings', 'scatter']) {
        const drawn = await drawnCounts(`#${name}`);
        const scene = await sceneCounts(body.charts[name]);
        for (const type of ['symbol', 'rect', 'text']) {
          assert.equal(drawn[type] ?? 0, scene[type] ?? 0, `${what}, ${name}: ${type} items`);
        }
      }
      assert.equal(await count(MARKS('scatter', 'symbol')), body.models.length, `${what}: a point per model`);
      assert.equal(await count('#projections table tbody tr'), body.models.length, `${what}: a row per model`);
    };

    await page.goto(`${BASE}/#pca`, { waitUntil: 'load' });
    assert.equal(await page.locator('[data-testid="warnings"]').isHidden(), true, 'no warnings before an answer');
    const options = await page.$$eval('#missing option', (os) => os.map((o) => o.value));
    assert.ok(options.includes('complete'), options.join());
    await page.click('[data-testid="load-example-benchpress"]');
    await page.waitForFunction(() => /Press Run PCA/.test(document.querySelector('#status').textContent));
    assert.equal(await page.inputValue('#missing'), 'complete', 'the example\'s gaps are predicted');
    assert.equal(await page.locator('#imputation-options').isHidden(), true, 'the completion has no imputation options');

    // The completion fills every gap of the models analysed: the PCA of the
    // completed matrix.
    let response = await clickAndCatch('#run', '/v1/pca', 180_000);
    assert.equal(response.status(), 200, await response.text());
    let sent = new URL(response.url()).searchParams;
    assert.equal(sent.get('missing'), 'complete');
    assert.equal(sent.get('standardize'), 'true');
    assert.equal(sent.get('n_components'), '3');
    assert.equal(sent.get('benchmarks').split(',').length, header.split(',').length - 1);
    let body = await response.json();
    assert.equal(body.models.length + body.dropped_models.length, lines.length);
    assert.equal(body.dropped_models.length, 0, 'every BenchPress model has a score');
    assert.equal(body.imputed.length, missing, 'every missing cell filled by the completion');
    await pcaDrawn(body, 'complete');
    assert.match(await page.textContent('#summary'), new RegExp(`84 models × 133 benchmarks.*${missing} missing scores imputed`));
    // The completion fills 77 % of the cells: its answer says so too.
    assert.ok(body.warnings.length > 0, 'missing=complete on a 23 % filled matrix warns');
    await page.locator('[data-testid="warnings"]').waitFor({ state: 'visible' });
    assert.deepEqual(await shownWarnings(), body.warnings.map(({ code, message }) => ({ code, message })));

    // Iterative PCA on the same matrix: the answer warns, naming the better
    // policy, and the page says so above the charts. (Its default 1000
    // iterations take minutes in a debug build on a loaded machine; 25 do
    // not converge either.)
    await page.selectOption('#missing', 'iterative_pca');
    assert.equal(await page.locator('#imputation-options').isVisible(), true);
    await page.fill('#imputation-max-iter', '25');
    response = await clickAndCatch('#run', '/v1/pca', 180_000);
    assert.equal(response.status(), 200, await response.text());
    sent = new URL(response.url()).searchParams;
    assert.equal(sent.get('missing'), 'iterative_pca');
    assert.equal(sent.get('imputation_max_iter'), '25');
    body = await response.json();
    assert.ok(body.warnings.length > 0, 'iterative PCA on a 23 % filled matrix warns');
    assert.ok(body.warnings.some((w) => w.message.includes('missing=complete')), 'a warning names the better policy');
    await pcaDrawn(body, 'iterative_pca');
    await page.locator('[data-testid="warnings"]').waitFor({ state: 'visible' });
    assert.deepEqual(await shownWarnings(), body.warnings.map(({ code, message }) => ({ code, message })));
    const warned = await shownWarnings();
    await page.fill('#imputation-max-iter', '');

    // The warnings belong to the view's answer: another view has its own
    // (none yet), and they come back with the view.
    await openView('complete');
    assert.equal(await page.locator('[data-testid="warnings"]').isHidden(), true, '#complete has no warnings');
    await openView('pca');
    assert.deepEqual(await shownWarnings(), warned, 'back in #pca');

    // An answer without warnings clears them: the paper example, whose six
    // gaps the benchmark means fill.
    await page.click('#load-example');
    await page.waitForFunction(() => document.querySelectorAll('#benchmark-list input:checked').length === 8);
    await page.selectOption('#missing', 'mean');
    response = await clickAndCatch('#run', '/v1/pca');
    assert.equal(response.status(), 200);
    body = await response.json();
    assert.deepEqual(body.warnings ?? [], [], 'the paper example with mean: no warning');
    await pcaDrawn(body, 'paper, mean');
    assert.equal(await page.locator('[data-testid="warnings"]').isHidden(), true, 'no warnings left from an earlier answer');
    await page.selectOption('#missing', 'iterative_pca');
  });

  it('shows the warnings a scaling analysis\'s PCA carries (#compute-fit)', async () => {
    // Iterative PCA stopped after 2 iterations does not converge: the
    // answer's `pca` warns.
    await page.goto(`${BASE}/#compute-fit`, { waitUntil: 'load' });
    await page.click('#load-example');
    await page.waitForFunction(() => /Press /.test(document.querySelector('#status').textContent));
    assert.equal(await page.inputValue('#missing'), 'iterative_pca');
    await page.fill('#imputation-max-iter', '2');
    const response = await clickAndCatch('#run-compute-fit', '/v1/scaling/compute-fit', 120_000);
    assert.equal(response.status(), 200, await response.text());
    assert.equal(new URL(response.url()).searchParams.get('imputation_max_iter'), '2');
    const body = await response.json();
    assert.ok(body.pca.warnings.some((w) => w.code === 'imputation_not_converged'), JSON.stringify(body.pca.warnings));
    await page.locator('[data-testid="warnings"]').waitFor({ state: 'visible' });
    const shown = await page.$$eval('[data-testid="warnings"] li', (lis) => lis.map((li) => li.dataset.code));
    assert.deepEqual(shown, body.pca.warnings.map((w) => w.code));
    await page.fill('#imputation-max-iter', '');
    // A refused request leaves no warning of the answer before it.
    await page.fill('#min-family-size', '1');
    const refused = await api('/v1/scaling/compute-fit', new URLSearchParams({
      model_column: 'Model', benchmarks: EXAMPLE_BENCHMARKS.join(','), missing: 'iterative_pca',
      family_column: 'Model Family', flops_column: 'FLOPs (1E21)', min_family_size: '1',
    }));
    assert.ok(refused.status >= 400 && refused.status < 500, refused.text);
    expectedStatuses.add(refused.status);
    try {
      const again = await clickAndCatch('#run-compute-fit', '/v1/scaling/compute-fit', 120_000);
      assert.equal(again.status(), refused.status);
      await page.waitForFunction(() => !document.querySelector('#error').hidden);
      assert.equal(await page.locator('[data-testid="warnings"]').isHidden(), true, 'no stale warnings');
      await page.waitForTimeout(200); // the console line of the 4xx may come after the response
    } finally {
      expectedStatuses.delete(refused.status);
    }
    await page.fill('#min-family-size', '');
    await openView('pca');
  });

  it('reads an uploaded semicolon CSV and selects benchmarks by prefix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'obscaling-upload-'));
    try {
      const file = join(dir, 'glp.csv');
      await writeFile(file, '\ufeffname;Org;GLP_a;GLP_b;GLP_c;Size\n'
        + '"m;1";x;0.1;0.2;0.35;1\nm2;y;0.4;0.3;0.5;2\nm3;x;0.7;0.9;0.6;3\n'
        + '"m ""4""";y;0.2;0.1;0.15;4\nm5;x;0.9;0.8;0.95;5\n');
      await page.setInputFiles('#file-input', file);
      await page.waitForFunction(() => document.querySelector('#csv-summary').textContent.includes('semicolon'));
      assert.equal(await page.inputValue('#model-column'), 'name');
      await page.fill('#benchmark-prefix', 'GLP_');
      await page.click('#apply-prefix');
      assert.equal(await count('#benchmark-list input:checked'), 3);
      assert.equal(await page.inputValue('#color-by'), 'Org');
      await page.selectOption('#missing', 'reject');
      const response = await clickAndCatch('#run', '/v1/pca');
      assert.equal(response.status(), 200);
      const sent = new URL(response.url()).searchParams;
      assert.equal(sent.get('benchmark_prefix'), 'GLP_');
      assert.equal(sent.get('delimiter'), ';');
      await page.waitForFunction(() => document.querySelectorAll('#projections tbody tr').length === 5);
      await page.waitForFunction(() => document.querySelectorAll('#scatter svg g.mark-symbol.role-mark > path').length === 5);
      assert.equal(await count(MARKS('scree', 'rect')), 3);
      assert.equal(await count(MARKS('loadings', 'rect')), 9);
      assert.deepEqual((await texts('#scatter svg .role-legend-label text')).sort(), ['x', 'y']);
      assert.ok((await page.textContent('#projections')).includes('m "4"'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lists a pasted CSV\'s columns as the service reads them, and says when it cannot', async () => {
    await page.goto(`${BASE}/#pca`, { waitUntil: 'load' });
    await page.selectOption('#delimiter', 'auto');
    // Quoted headers holding the delimiter, a doubled quote and a line break,
    // and a missing token: read by the service, not the page.
    const text = 'model\t"bench, \nA"\t"say ""hi"""\tfamily\nm1\t0.1\t0.5\tx\nm2\tNA\t0.25\ty\nm3\t0.7\t0.75\tx\n';
    const inspectOf = (body) => page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/inspect'
      && r.request().postData() === body);
    const inspected = inspectOf(text);
    await page.fill('#csv-input', text);
    const answer = await (await inspected).json();
    assert.equal(answer.delimiter, '\t');
    assert.deepEqual(answer.columns.map((c) => c.name), ['model', 'bench, \nA', 'say "hi"', 'family']);
    await page.waitForFunction(() => document.querySelector('#csv-summary').textContent.includes('tab-separated'));
    assert.match(await page.textContent('#csv-summary'), /^3 rows · 4 columns/);
    const listed = await page.$$eval('#benchmark-list input', (boxes) => boxes.map((b) => [b.value, b.checked]));
    assert.deepEqual(listed, [['bench, \nA', true], ['say "hi"', true], ['family', false]]);
    assert.equal(await page.inputValue('#color-by'), 'family');
    await page.selectOption('#missing', 'mean');
    const response = await clickAndCatch('#run', '/v1/pca');
    assert.equal(response.status(), 200);
    const sent = new URL(response.url()).searchParams;
    assert.equal(sent.get('delimiter'), 'tab');
    assert.equal(response.request().postData(), text, 'the text as pasted');
    assert.deepEqual((await response.json()).groups, ['x', 'y', 'x']);

    // A ragged line: no table, the service's reason, and Run says so.
    const ragged = 'model,a\nm1,0.1,0.2\n';
    const broken = inspectOf(ragged);
    expectedStatuses.add(422);
    try {
      await page.fill('#csv-input', ragged);
      assert.equal((await broken).status(), 422);
      await page.waitForFunction(() => document.querySelector('#csv-summary').textContent.startsWith('The service cannot read'));
      await page.click('#run');
      await page.locator('#error').waitFor({ state: 'visible' });
      assert.match(await page.textContent('#error'), /cannot be read/);
    } finally {
      expectedStatuses.delete(422);
    }
  });

  it('draws a leaderboard with Japanese headers with real glyphs', async () => {
    await page.setInputFiles('#file-input', JAPANESE_FIXTURE);
    await page.waitForFunction(() => document.querySelector('#csv-summary').textContent.startsWith('20 rows'));
    assert.equal(await page.inputValue('#model-column'), 'モデル名');
    await page.fill('#benchmark-prefix', 'GLP_');
    await page.click('#apply-prefix');
    assert.equal(await count('#benchmark-list input:checked'), GLP.length);
    assert.equal(await page.inputValue('#color-by'), '開発元');
    await page.selectOption('#missing', 'reject');
    await page.fill('#n-components', '3');
    const response = await clickAndCatch('#run', '/v1/pca');
    assert.equal(response.status(), 200);
    assert.equal(new URL(response.url()).searchParams.get('benchmark_prefix'), 'GLP_');
    await page.waitForFunction(() => document.querySelectorAll('#scatter svg g.mark-symbol.role-mark > path').length === 20);
    await page.waitForFunction(() => document.getElementById('loadings').dataset.rendered === 'true');

    const axisLabels = await texts('#loadings svg .role-axis-label text');
    for (const name of GLP) assert.ok(axisLabels.includes(name), `loadings label ${name}`);
    const legend = await texts('#scatter svg .role-legend-label text');
    for (const org of ['東京科学大学', 'サイバーエージェント', 'ストックマーク']) assert.ok(legend.includes(org), `legend ${org}`);
    assert.deepEqual(await texts('#scatter svg .role-legend-title text'), ['開発元']);

    // The screenshot first, so that a failure below leaves the picture.
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.mouse.move(0, 0);
    const path = join(SCREENSHOT_DIR, 'dashboard-ja.png');
    await page.screenshot({ path, fullPage: true });
    console.log(`screenshot: ${path}`);

    // A font without the glyphs draws every character as the same box (or
    // nothing): two different kanji in the charts' font must draw differently,
    // and a CJK label must be as wide as its characters (not zero).
    const glyphs = await page.evaluate(() => {
      const draw = (text) => {
        const canvas = document.createElement('canvas');
        canvas.width = 48;
        canvas.height = 48;
        const g = canvas.getContext('2d');
        g.font = '40px sans-serif';
        g.fillText(text, 2, 40);
        const alpha = [];
        const { data } = g.getImageData(0, 0, 48, 48);
        for (let i = 3; i < data.length; i += 4) alpha.push(data[i]);
        return alpha;
      };
      const a = draw('表');
      const b = draw('現');
      const inked = (px) => px.filter((v) => v > 0).length;
      const label = [...document.querySelectorAll('#loadings svg .role-axis-label text')]
        .find((t) => t.textContent === 'GLP_知識・質問応答');
      return {
        differ: a.some((v, i) => v !== b[i]), inkA: inked(a), inkB: inked(b),
        labelWidth: label.getComputedTextLength(), latinWidth: (() => {
          const l = [...document.querySelectorAll('#loadings svg .role-axis-label text')].find((t) => t.textContent === 'GLP_英語');
          return l.getComputedTextLength();
        })(),
      };
    });
    assert.ok(glyphs.inkA > 50 && glyphs.inkB > 50, `kanji are drawn: ${glyphs.inkA}, ${glyphs.inkB} pixels`);
    assert.ok(glyphs.differ, '表 and 現 draw differently (not the same missing-glyph box)');
    assert.ok(glyphs.labelWidth > glyphs.latinWidth + 20, `a longer CJK label is wider: ${glyphs.labelWidth} vs ${glyphs.latinWidth}`);

  });

  it('reads Parquet and Arrow uploads through /v1/inspect: the same PCA as the CSV', async () => {
    const tables = join(here, '../fixtures/tables');
    const run = async (file, contentType) => {
      await page.setInputFiles('#file-input', join(tables, file));
      await page.waitForFunction((f) => document.querySelector('#status').textContent.includes(f), file);
      assert.equal(await page.inputValue('#layout'), 'wide', `${file}: layout`);
      assert.equal(await page.inputValue('#model-column'), 'Model', `${file}: model column`);
      assert.equal(await page.inputValue('#family-column'), 'Model Family', `${file}: family column`);
      assert.equal(await page.inputValue('#flops-column'), 'FLOPs (1E21)', `${file}: FLOPs column`);
      await page.click('#select-all');
      await page.selectOption('#missing', 'iterative_pca');
      await page.fill('#n-components', '3');
      const response = await clickAndCatch('#run', '/v1/pca');
      assert.equal(response.status(), 200, file);
      assert.equal(response.request().headers()['content-type'], contentType, `${file}: body type`);
      const sent = response.request().postDataBuffer();
      assert.ok(sent.equals(await readFile(join(tables, file))), `${file}: the bytes as uploaded`);
      await page.waitForFunction(() => document.querySelectorAll('#scatter svg g.mark-symbol.role-mark > path').length === 77);
      // Every family, from the service's description of the file: in the
      // scatter's legend and the family pickers.
      const families = new Set(exampleCsv.trim().split('\n').slice(1).map((line) => line.split(',')[1]));
      assert.equal(await page.inputValue('#color-by'), 'Model Family', `${file}: colour by`);
      assert.deepEqual((await texts('#scatter svg .role-legend-label text')).sort(), [...families].sort(), `${file}: legend`);
      const offered = await page.$$eval('#reference-family option', (os) => os.map((o) => o.value).filter(Boolean));
      assert.deepEqual(offered.sort(), [...families].sort(), `${file}: reference families`);
      return { body: await response.json(), query: new URL(response.url()).searchParams };
    };
    const csv = await run('paper.csv', 'text/csv');
    // 12 numeric columns: three of compute, eight benchmarks, one task.
    assert.equal(csv.body.benchmarks.length, 12);
    for (const [file, type] of [['paper.pyarrow-snappy.parquet', 'application/vnd.apache.parquet'],
      ['paper.pyarrow.arrows', 'application/vnd.apache.arrow.stream']]) {
      const { body, query } = await run(file, type);
      assert.deepEqual(Object.fromEntries(query), Object.fromEntries(csv.query), `${file}: the CSV's query`);
      assert.deepEqual(body.benchmarks, csv.body.benchmarks, file);
      assert.deepEqual(body.models, csv.body.models, file);
      // The typed files hold the doubles nearest the CSV's texts
      // (tests/fixtures/tables/make_tables.py): the same numbers, so the same
      // ratios up to rounding.
      body.explained_variance_ratio.forEach((r, i) => {
        assert.ok(Math.abs(r - csv.body.explained_variance_ratio[i]) < 1e-12, `${file}: ratio ${i}: ${r}`);
      });
    }
  });

  it('reads a long CSV as the service guesses it: model, benchmark and score columns', async () => {
    const file = join(here, '../fixtures/tables/paper_long.csv');
    await page.setInputFiles('#file-input', file);
    await page.waitForFunction(() => document.querySelector('#layout').value === 'long');
    assert.equal(await page.inputValue('#model-column'), 'model');
    assert.equal(await page.inputValue('#benchmark-column'), 'benchmark');
    assert.equal(await page.inputValue('#score-column'), 'score');
    assert.equal(await page.locator('#benchmark-column').isVisible(), true);
    assert.equal(await page.locator('#benchmark-list').isVisible(), false, 'no column checklist for a long table');
    await page.fill('#benchmark-prefix', '');
    await page.selectOption('#missing', 'iterative_pca');
    await page.fill('#n-components', '3');
    const response = await clickAndCatch('#run', '/v1/pca');
    assert.equal(response.status(), 200);
    const sent = new URL(response.url()).searchParams;
    assert.equal(sent.get('layout'), 'long');
    assert.equal(sent.get('model_column'), 'model');
    assert.equal(sent.get('benchmark_column'), 'benchmark');
    assert.equal(sent.get('score_column'), 'score');
    assert.equal(sent.get('benchmarks'), null);
    const body = await response.json();
    await page.waitForFunction(() => document.querySelectorAll('#scatter svg g.mark-symbol.role-mark > path').length === 77);
    // The same leaderboard as the wide paper.csv (make_tables.py), asked of
    // the service as a wide CSV with the same options and nine benchmarks.
    const query = new URLSearchParams(sent);
    for (const name of ['layout', 'model_column', 'benchmark_column', 'score_column']) query.delete(name);
    query.set('benchmarks', body.benchmarks.join(','));
    const wide = await api('/v1/pca', query, await readFile(join(here, '../fixtures/tables/paper.csv'), 'utf8'));
    assert.equal(wide.status, 200, wide.text.slice(0, 300));
    assert.equal(body.benchmarks.length, 9);
    assert.deepEqual(body.models, wide.body.models);
    // Each model's family, from its rows of the long table.
    assert.equal(sent.get('group_column'), 'Model Family');
    assert.equal(body.groups.length, 77);
    assert.equal(new Set(body.groups).size, 21);
    body.explained_variance_ratio.forEach((r, i) => {
      assert.ok(Math.abs(r - wide.body.explained_variance_ratio[i]) < 1e-12, `ratio ${i}: ${r}`);
    });
  });

  it('reads a folder of lm-evaluation-harness results: its tasks and metrics listed, the PCA of the CSV', async () => {
    // tests/fixtures/lm_eval/paper_77: the paper's 77 models, a folder each,
    // two runs per model; with the models part beside it, the family too.
    await page.goto(`${BASE}/#pca`, { waitUntil: 'load' });
    const dir = await mkdtemp(join(tmpdir(), 'obscaling-results-'));
    try {
      const folder = join(dir, 'paper_77');
      await mkdir(folder);
      const source = join(here, '../fixtures/lm_eval/paper_77');
      for (const model of await readdir(source)) {
        await mkdir(join(folder, model));
        for (const run of await readdir(join(source, model))) {
          await writeFile(join(folder, model, run), await readFile(join(source, model, run)));
        }
        // The harness's per-sample logs sit beside the results: never read.
        await writeFile(join(folder, model, 'samples_gsm8k_2024-05-01T10-00-00.000000.jsonl'), '{"doc_id": 0}\n');
      }
      await writeFile(join(folder, 'models.csv'), await readFile(join(here, '../fixtures/lm_eval/paper_77_models.csv')));
      const inspected = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/inspect');
      await page.setInputFiles('#folder-input', folder);
      const inspect = await inspected;
      assert.equal(inspect.status(), 200);
      assert.equal(new URL(inspect.url()).searchParams.get('format'), 'lm_eval');
      assert.match(inspect.request().headers()['content-type'], /^multipart\/form-data; boundary=/);
      await page.waitForFunction(() => document.querySelector('#csv-summary').textContent.includes('77 models'));
      assert.equal(await page.locator('#lm-eval-tasks').isVisible(), true);
      const rows = await page.$$eval('#lm-eval-tasks tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
      const metric = (task) => rows.find((r) => r[0] === task)?.[1];
      assert.equal(metric('arc_challenge'), 'acc_norm, none');
      assert.equal(metric('gsm8k'), 'exact_match, strict-match');
      assert.equal(metric('humaneval'), 'pass@1, create_test');
      assert.equal(rows.find((r) => r[0] === 'mmlu_abstract_algebra')?.[2], 'mmlu_stem');
      const ticked = await page.$$eval('#benchmark-list input:checked', (is) => is.map((i) => i.value));
      const tasks = ['mmlu', 'arc_challenge', 'hellaswag', 'winogrande', 'truthfulqa_mc2', 'gsm8k', 'xwinograd', 'humaneval'];
      assert.deepEqual([...ticked].sort(), [...tasks].sort(), 'the default columns are ticked, subtasks are not');
      assert.equal(await page.inputValue('#model-column'), 'Model');
      assert.equal(await page.inputValue('#color-by'), 'Model Family');
      await page.selectOption('#missing', 'iterative_pca');
      await page.fill('#imputation-bounds', '0,1');
      await page.fill('#n-components', '3');
      const response = await clickAndCatch('#run', '/v1/pca');
      assert.equal(response.status(), 200, await response.text());
      const sent = new URL(response.url()).searchParams;
      assert.equal(sent.get('format'), 'lm_eval');
      assert.deepEqual(sent.get('tasks').split(',').sort(), [...tasks].sort());
      await page.waitForFunction(() => document.querySelectorAll('#scatter svg g.mark-symbol.role-mark > path').length === 77);
      const body = await response.json();
      assert.equal(body.lm_eval.columns.find((c) => c.task === 'gsm8k').filter, 'strict-match');
      // The same numbers as the CSV of the same scores (up to the order of
      // the models, which the folder's listing gives).
      const csv = await fetch(`${BASE}/v1/pca?${new URLSearchParams({
        benchmarks: body.benchmarks.map((t) => EXAMPLE_BENCHMARKS[tasks.indexOf(t)]).join(','),
        missing: 'iterative_pca', imputation_bounds: '0,1', n_components: '3',
      })}`, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: exampleCsv }).then((r) => r.json());
      body.explained_variance_ratio.forEach((r, i) => {
        assert.ok(Math.abs(r - csv.explained_variance_ratio[i]) < 1e-9, `ratio ${i}: ${r} vs ${csv.explained_variance_ratio[i]}`);
      });
      // Another view on the same upload: family and FLOPs from models.csv.
      await openView('compute-fit');
      assert.equal(await page.inputValue('#family-column'), 'Model Family');
      assert.equal(await page.inputValue('#flops-column'), 'FLOPs (1E21)');
      const fit = await clickAndCatch('#run-compute-fit', '/v1/scaling/compute-fit');
      assert.equal(fit.status(), 200, await fit.text());
      assert.equal(new URL(fit.url()).searchParams.get('format'), 'lm_eval');
      assert.ok((await fit.json()).families.length > 1);
      await openView('pca');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('Vega-Lite specs from charts=true compile and render', async () => {
    const query = new URLSearchParams(EXAMPLE_QUERY);
    query.set('charts', 'true');
    const { status, body } = await apiPca(query);
    assert.equal(status, 200, JSON.stringify(body));
    const k = body.n_components;
    assert.deepEqual(Object.keys(body.charts).sort(), ['loadings', 'scatter', 'scree']);
    const expectedItems = {
      scree: { rect: k, line: k },
      loadings: { rect: 8 * k, text: 8 * k },
      scatter: { symbol: 77 },
    };
    for (const [name, spec] of Object.entries(body.charts)) {
      const warnings = [];
      const logger = { ...vega.logger(vega.Warn), warn: (...m) => warnings.push(m.join(' ')) };
      const compiled = vegaLite.compile(spec, { logger }).spec;
      assert.deepEqual(warnings, [], `${name}: Vega-Lite warnings`);
      const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
      await view.runAsync();
      const svg = await view.toSVG();
      assert.match(svg, /^<svg/, name);
      const items = {};
      const walk = (node) => {
        if (node.marktype && node.role === 'mark') {
          items[node.marktype] = (items[node.marktype] ?? 0) + node.items.length;
        }
        for (const child of node.items ?? []) walk(child);
      };
      walk(view.scenegraph().root);
      for (const [marktype, n] of Object.entries(expectedItems[name])) {
        assert.equal(items[marktype], n, `${name}: ${marktype} items`);
      }
      view.finalize();
    }
  });

  it('draws each view\'s charts from each of its examples with one press of its button', async () => {
    const examples = ['load-example', 'load-example-tasks', 'load-example-skills', 'load-example-benchpress'];
    const run = { pca: ['run', '/v1/pca'], 'compute-fit': ['run-compute-fit', '/v1/scaling/compute-fit'],
      law: ['run-law', '/v1/scaling/law'], design: ['run-design', '/v1/scaling/select-families'],
      skills: ['run-skills', '/v1/scaling/skills'], complete: ['run-complete', '/v1/complete'] };
    const tried = [];
    for (const view of VIEWS) {
      const [button, path] = run[view];
      for (const example of examples) {
        await page.goto(`${BASE}/#${view}`, { waitUntil: 'load' });
        if (!await page.locator(`#${example}`).isVisible()) continue;
        tried.push(`${view} ${example}`);
        const what = `#${view}, ${example}`;
        await page.click(`#${example}`);
        // Loaded and preset (and, for a view its example runs, drawn).
        await page.waitForFunction((b) => /Press |Results for |predicted/.test(document.querySelector('#status').textContent)
          && !document.getElementById(b).disabled, button, { timeout: 180_000 });
        assert.equal(await page.locator('#error').isHidden(), true, `${what}: ${await page.textContent('#error')}`);
        const response = await clickAndCatch(`#${button}`, path, 180_000);
        assert.equal(response.status(), 200, `${what}: ${await response.text()}`);
        const names = Object.keys((await response.json()).charts ?? {});
        assert.ok(names.length > 0, `${what}: charts`);
        await page.waitForFunction(({ v, n }) => {
          const bodies = [...document.querySelectorAll(`[data-testid="view-${v}"] .chart-body`)];
          return bodies.length === n && bodies.every((c) => c.dataset.rendered === 'true' && c.querySelector('svg'));
        }, { v: view, n: names.length }, { timeout: 120_000 });
        await page.waitForFunction((b) => !document.getElementById(b).disabled, button, { timeout: 120_000 });
        assert.equal(await page.locator('#error').isHidden(), true, `${what}: ${await page.textContent('#error')}`);
      }
    }
    // Both paper examples in every view, the skills example in #skills, the
    // BenchPress example in #pca and #complete.
    assert.equal(tried.length, 2 * VIEWS.length + 3, tried.join('; '));
  });

  it('made no request to another origin, logged no console error and broke no CSP rule', () => {
    assert.deepEqual(external, []);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(violations, []);
  });
});
