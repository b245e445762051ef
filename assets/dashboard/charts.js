// Drawing the Vega-Lite specifications the service returns, as they are:
// the chart on screen is the spec a user can download and take to Altair,
// Streamlit or Observable.
//
// The Content-Security-Policy forbids eval and inline styles, so charts are
// embedded with Vega's expression interpreter and without the style elements
// vega-embed and its tooltip would inject (their rules are in style.css).
// vega-embed's own action links under each chart save it as SVG or PNG,
// rendered here by Vega (nothing is fetched); its source, compiled and
// editor actions are off (the editor is another origin, and the others open
// windows of their own).

import { baseName, downloadJson } from './downloads.js';
import { element, smallButton } from './dom.js';

const embedOptions = (fileName) => ({
  renderer: 'svg',
  actions: { export: { png: true, svg: true }, source: false, compiled: false, editor: false },
  downloadFileName: fileName,
  scaleFactor: { png: 2, svg: 1 },
  defaultStyle: false,
  ast: true,
  expr: vega.expressionInterpreter,
  tooltip: { disableDefaultStyle: true },
});

const embedded = new WeakMap(); // chart element -> {view, spec} of the Vega view drawn in it

// Draws `spec` into `el`, replacing (and finalizing) what was there; the
// saved images are named after the table and `name`. The Vega view.
export async function drawChart(el, spec, name) {
  embedded.get(el)?.view.finalize();
  embedded.delete(el);
  const { view } = await vegaEmbed(el, spec, embedOptions(`${baseName()}_${name}`));
  embedded.set(el, { view, spec });
  el.dataset.rendered = 'true';
  return view;
}

// The Vega view drawn in `el`, if any.
export const viewIn = (el) => embedded.get(el)?.view;

// The Vega-Lite button of the chart drawn in `el` (named `${testid}-spec`):
// the spec as the service returned it.
export function specButton(el, name, testid) {
  const bar = element('div', 'chart-actions');
  bar.append(smallButton(`${testid}-spec`, 'Vega-Lite', () => {
    const chart = embedded.get(el);
    if (chart) downloadJson(`${baseName()}_${name}.vl.json`, chart.spec);
  }, 'Download the Vega-Lite specification (for Altair, Streamlit, Observable, vega-embed)'));
  return bar;
}

// A figure per spec of `charts` (name -> Vega-Lite spec), drawn into `grid`.
export async function drawChartSet(grid, charts, view) {
  grid.replaceChildren();
  const drawn = [];
  for (const [name, spec] of Object.entries(charts)) {
    const figure = element('figure', 'panel chart');
    figure.dataset.chart = name;
    const body = element('div', 'chart-body');
    body.dataset.testid = `${view}-chart-${name}`;
    figure.append(specButton(body, `${view}_${name}`, `${view}-chart-${name}`), body);
    grid.append(figure);
    drawn.push(drawChart(body, spec, `${view}_${name}`));
  }
  await Promise.all(drawn);
}

// Whether the vendored runtime loaded (the classic scripts before the page's modules).
export const runtimeLoaded = () => typeof vegaEmbed === 'function' && typeof vega !== 'undefined'
  && typeof vega.expressionInterpreter === 'function';
