// The status line, the error box and the warnings box above the views.

import { $, element } from './dom.js';
import { state } from './state.js';

// The status line of `view` (shown when that view is current); with one
// argument, of the current view.
export function setStatus(view, text) {
  if (text === undefined) { text = view; view = state.view; }
  state.statuses[view] = text;
  if (view === state.view) $('status').textContent = text;
}

export function clearError() {
  const box = $('error');
  box.replaceChildren();
  box.hidden = true;
}

export function showError(title, detail, extra) {
  const box = $('error');
  box.replaceChildren(element('strong', '', title));
  if (detail) box.append(element('div', 'detail', detail));
  if (extra) box.append(extra);
  box.hidden = false;
  box.scrollIntoView({ block: 'nearest' });
}

// An application/problem+json answer, in words.
export function showProblem(problem) {
  const extra = document.createDocumentFragment();
  if (Array.isArray(problem.cells) && problem.cells.length) {
    const list = document.createElement('ul');
    extra.append(list);
    const shown = problem.cells.slice(0, 8);
    for (const cell of shown) list.append(element('li', '', `${cell.model} · ${cell.benchmark}`));
    const total = problem.missing_count ?? problem.cells.length;
    if (total > shown.length) list.append(element('li', '', `… and ${total - shown.length} more`));
  }
  const title = problem.title || `Error ${problem.status ?? ''}`.trim();
  if (problem.code === 'missing_scores') {
    extra.append(element('p', 'hint-line',
      'Tip: choose another “Missing cells” option (e.g. predict them with the completion) to fill or drop them.'));
  }
  showError(title, problem.detail || '', extra);
}

// The warnings an answer carries: `warnings` of a PCA answer, also under
// an analysis's `pca` and each of a law's `results` (src/api/warnings.rs).
// Each {code, message} once, in the answer's order.
export function answerWarnings(body) {
  const found = new Map();
  const visit = (part, depth) => {
    if (!part || typeof part !== 'object' || depth > 2) return;
    for (const w of Array.isArray(part.warnings) ? part.warnings : []) {
      if (w && typeof w.message === 'string') found.set(`${w.code}\u0000${w.message}`, w);
    }
    visit(part.pca, depth + 1);
    if (Array.isArray(part.results)) for (const r of part.results) visit(r, depth + 1);
  };
  visit(body, 0);
  return [...found.values()];
}

// The warnings of `view`'s answer (none: the box is hidden), kept with the
// view and shown while it is current, as its status line is.
export function setWarnings(view, warnings) {
  state.warnings[view] = warnings;
  if (view === state.view) showWarnings();
}

// Draws the current view's warnings.
export function showWarnings() {
  const warnings = state.warnings[state.view] ?? [];
  const box = $('warnings');
  box.replaceChildren();
  box.hidden = warnings.length === 0;
  if (!warnings.length) return;
  box.append(element('strong', '', warnings.length === 1
    ? 'The service answered with a warning: read these figures with care'
    : `The service answered with ${warnings.length} warnings: read these figures with care`));
  const list = element('ul');
  for (const w of warnings) {
    const item = element('li', '', w.message);
    item.dataset.code = w.code;
    list.append(item);
  }
  box.append(list);
}
