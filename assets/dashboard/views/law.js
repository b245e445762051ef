// #law: a sigmoid of the PC scores fitted below a compute cutoff predicts a
// target for the stronger models (POST /v1/scaling/law).

import { $ } from '../dom.js';
import { checked, fillChecklist, fillSelect, onFamilies, onTable, tick } from '../pickers.js';
import { UserError, nameList, sharedParams } from '../requests.js';
import { familyAndCompute, runScaling } from './scaling.js';

const scaling = {
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
  output: (b) => ({ summary: b.metrics ? `trained on ${b.metrics.n_train} models, tested on ${b.metrics.n_test}` : '' }),
};

export default {
  id: 'law',
  name: 'Scaling law',
  status: 'Load the paper example with task scores (preset to word unscrambling), or pick the target column(s), '
    + 'a training cutoff and the compute columns, then fit the scaling law.',
  button: 'run-law',
  run: () => runScaling('law', scaling),
  // The paper's emergent-capability prediction (word unscrambling, trained
  // up to Llama-2-7B's compute, on Llama-2's compute axis). The paper set
  // alone has no task column: there GSM8K is predicted from the PCs of the
  // other seven benchmarks (a target is never a benchmark of its own law).
  presets: {
    paper: {
      benchmarks: ['MMLU', 'ARC-C', 'HellaSwag', 'Winograd', 'TruthfulQA', 'XWinograd', 'HumanEval'],
      targets: ['GSM8K'], maxTrainFlops: '84', referenceFamily: 'Llama-2',
    },
    tasks: { targets: ['word_unscrambling_2_exact_match'], maxTrainFlops: '84', referenceFamily: 'Llama-2', autorun: true },
  },
  preset({ targets = [], maxTrainFlops = '', referenceFamily = '' }) {
    tick($('target-columns'), targets);
    $('max-train-flops').value = maxTrainFlops;
    $('reference-family').value = referenceFamily;
  },
  init() {
    onTable(({ numericColumns, loaded }) => {
      const previous = new Set(checked($('target-columns')));
      fillChecklist($('target-columns'), numericColumns, {
        isChecked: (h) => previous.has(h),
        empty: loaded ? 'The table has no numeric column.' : 'Load a CSV to list its columns.',
      });
    });
    onFamilies((families) => {
      fillSelect($('reference-family'), families, { keep: $('reference-family').value, none: '(none)' });
    });
  },
};
