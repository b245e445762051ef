// #design: under a budget of models, the families whose models pin the PC
// space down best (POST /v1/scaling/select-families), beside random
// choices; the chart of their criteria and a table of what each design
// evaluates.

import { $, fixed, simpleTable, tablePanel } from '../dom.js';
import { checked, fillChecklist, onFamilies, tick } from '../pickers.js';
import { UserError, nameList, sharedParams } from '../requests.js';
import { familyAndCompute, runScaling } from './scaling.js';

// Each budget's designs, best first: the families they take, and the models
// of those families, which are the evaluations to run.
function designTable(body) {
  const rows = [];
  for (const budget of body.budgets) {
    const budgetLabel = `≤ ${budget.max_models} models`;
    if (budget.best.length === 0) rows.push([budgetLabel, undefined, undefined, 'no design fits the budget', '']);
    budget.best.forEach((design, i) => {
      rows.push([`${budgetLabel}, best #${i + 1}`, design.n_models, design.criterion, design.families.join(', '),
        (design.models || []).join(', ')]);
    });
  }
  const columns = [
    { label: 'Design', wrap: true }, { label: 'Models', num: true, format: String },
    { label: 'Criterion', num: true, format: (v) => fixed(v, 3) }, { label: 'Families to evaluate', wrap: true },
    { label: 'Models to evaluate', wrap: true },
  ];
  return tablePanel('The designs', 'Evaluate every model of these families: lower criteria predict all models better.',
    'design-table', simpleTable(columns, rows));
}

const scaling = {
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
  output: (b) => ({
    summary: Array.isArray(b.budgets) ? `${b.budgets.length} budget(s) scored` : '',
    beside: Array.isArray(b.budgets) ? [designTable(b)] : [],
  }),
};

// The paper's setting: 25 models, with Llama-2 and Qwen1.5 already evaluated.
const PAPER = { maxModels: '25', requiredFamilies: ['Llama-2', 'Qwen1.5'], top: '3' };

export default {
  id: 'design',
  name: 'Which models to evaluate',
  status: 'Pick the family column and a budget, then choose the model families to evaluate.',
  button: 'run-design',
  run: () => runScaling('design', scaling),
  presets: { paper: PAPER, tasks: { ...PAPER, autorun: true } },
  preset({ maxModels = '', requiredFamilies = [], top = '' }) {
    $('max-models').value = maxModels;
    tick($('required-families'), requiredFamilies);
    $('top').value = top;
  },
  init() {
    onFamilies((families) => {
      const previous = new Set(checked($('required-families')));
      fillChecklist($('required-families'), families, {
        isChecked: (f) => previous.has(f),
        empty: 'Pick a family column to list its families.',
      });
    });
  },
};
