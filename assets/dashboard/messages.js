// The status line and the error box above the views.

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
      'Tip: choose another “Missing cells” option (e.g. impute by iterative PCA) to fill or drop them.'));
  }
  showError(title, problem.detail || '', extra);
}
