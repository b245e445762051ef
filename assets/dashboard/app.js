// obscaling dashboard. One loaded table (a leaderboard) feeds the views,
// chosen by the URL fragment: each view is a module of ./views/ that posts
// the table to its endpoint with its options as query parameters and
// `charts=true`, and draws the Vega-Lite specifications the service returns
// as they are (charts.js). The page parses no table: the service describes
// it (table.js) and reads it for real.
//
// A view module's default export: `id` (its fragment, and the
// `data-views` name of its controls and output in index.html), `name`,
// `status` (its status line before a run), `button` (the id of its run
// button), `run()`, `presets` and `preset(options)` (its options per
// example, examples.js) and, optionally, `init()` to wire its controls.
// A new view is a module here, a line in VIEWS, and its controls, output
// section and nav link in index.html.

import { runtimeLoaded } from './charts.js';
import { $ } from './dom.js';
import { loadExample } from './examples.js';
import { clearError, showError, showWarnings } from './messages.js';
import { initPickers } from './pickers.js';
import { state } from './state.js';
import { initTable } from './table.js';
import complete from './views/complete.js';
import computeFit from './views/compute-fit.js';
import design from './views/design.js';
import law from './views/law.js';
import pca from './views/pca.js';
import skills from './views/skills.js';

const VIEWS = [pca, computeFit, law, design, skills, complete];
const viewById = (id) => VIEWS.find((v) => v.id === id);

const currentView = () => viewById(location.hash.slice(1)) ?? VIEWS[0];

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
  const view = currentView();
  state.view = view.id;
  syncVisibility();
  for (const link of document.querySelectorAll('[data-view-link]')) {
    if (link.dataset.viewLink === state.view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `obscaling · ${view.name}`;
  if (previous !== state.view) clearError();
  $('status').textContent = state.statuses[state.view] ?? view.status;
  showWarnings();
}

// The iterative PCA's own options show with it; `complete` takes the
// completion's defaults and has none.
function syncImputationOptions() {
  $('imputation-options').hidden = $('missing').value !== 'iterative_pca';
}

function init() {
  if (!runtimeLoaded()) {
    showError('The chart runtime did not load', 'The page cannot draw charts: /assets/vendor/*.js failed to load.');
  }
  initPickers();
  for (const view of VIEWS) {
    view.init?.();
    $(view.button).addEventListener('click', () => view.run());
  }
  const examples = [['load-example', 'paper'], ['load-example-tasks', 'tasks'], ['load-example-skills', 'skills'],
    ['load-example-benchpress', 'benchpress']];
  for (const [button, name] of examples) {
    $(button).addEventListener('click', () => loadExample(name, VIEWS, currentView()));
  }
  $('missing').addEventListener('change', syncImputationOptions);
  $('compute-source').addEventListener('change', syncVisibility);
  window.addEventListener('hashchange', route);
  syncImputationOptions();
  route();
  initTable();
}

// A module runs once the document is parsed, after the vendored classic scripts.
init();
