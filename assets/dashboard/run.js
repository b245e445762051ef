// One run of a view's analysis: the checks, the busy button, the request
// and the answer shown, or the failure in words.

import { $ } from './dom.js';
import { answerWarnings, clearError, setStatus, setWarnings, showError, showProblem } from './messages.js';
import { ProblemError, UserError, postTable } from './requests.js';
import { currentTable } from './table.js';

// Checks there is a table, builds the query (a UserError is shown as
// such), posts it to `endpoint` with the busy `button`, and hands the
// answer to `show`; the answer's warnings are shown above the view, and a
// failed request leaves none of an earlier answer's. Resolves to true when
// shown, false when the request failed, undefined when nothing was sent.
export async function runAnalysis({ view, endpoint, buildParams, button, busy, show }) {
  clearError();
  if (!await currentTable()) {
    const pasted = $('csv-input').value.trim();
    showError(pasted ? 'The CSV cannot be read' : 'No data',
      pasted ? $('csv-summary').textContent : 'Paste a CSV, upload a file or load the paper example first.');
    return undefined;
  }
  let params;
  try {
    params = buildParams();
  } catch (err) {
    if (err instanceof UserError) { showError(err.title, err.detail); return undefined; }
    throw err;
  }
  const label = button.textContent;
  button.disabled = true;
  button.textContent = 'Running…';
  setStatus(view, busy);
  try {
    const body = await postTable(endpoint, params);
    setWarnings(view, answerWarnings(body));
    await show(body, params);
  } catch (err) {
    setWarnings(view, []);
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

// The request failed: its problem in words.
export function reportFailure(err) {
  if (err instanceof ProblemError) showProblem(err.problem);
  else showError('The request could not be completed', String(err.message || err));
}
