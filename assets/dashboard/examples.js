// The worked examples (assets/examples/SOURCE.md): the table, its columns
// and the options every view shares; each view presets its own options
// from its `presets[name]`, so that after one click its run button draws
// its charts (and a view whose preset says `autorun` runs at once).
//
// `paper` is the paper's 77 base models; `tasks` the same with the
// emergent-task and post-training columns joined; `skills` a small Open LLM
// Leaderboard v2 table where every model has its parameters and tokens (the
// paper set lacks Mistral's and Mixtral's tokens, so the skills law leaves
// them out); `benchpress` a sparse leaderboard of 84 frontier models and 133
// benchmarks, a quarter of its scores published, for the completion and the
// PCA of the completed matrix.

import { $ } from './dom.js';
import { clearError, setStatus, showError } from './messages.js';
import { refreshFamilies } from './pickers.js';
import { setCsv } from './table.js';

const PAPER_BENCHMARKS = ['MMLU', 'ARC-C', 'HellaSwag', 'Winograd', 'TruthfulQA', 'GSM8K', 'XWinograd', 'HumanEval'];
const PAPER = {
  modelColumn: 'Model',
  benchmarks: PAPER_BENCHMARKS,
  missing: 'iterative_pca',
  rank: '1',
  bounds: '0,1',
  family: 'Model Family',
  flops: 'FLOPs (1E21)',
  params: 'Model Size (B)',
  tokens: 'Pretraining Data Size (T)',
};
const EXAMPLES = {
  paper: {
    ...PAPER,
    url: '/examples/paper_set_77.csv',
    fileName: 'paper_set_77.csv',
    status: 'Loaded the paper\'s 77 base models (6 missing scores, filled by iterative PCA imputation). ',
  },
  tasks: {
    ...PAPER,
    url: '/examples/paper_set_77_tasks.csv',
    fileName: 'paper_set_77_tasks.csv',
    status: 'Loaded the paper\'s 77 base models with their emergent-task and post-training scores. ',
  },
  skills: {
    url: '/examples/leaderboard_v2_skills.csv',
    fileName: 'leaderboard_v2_skills.csv',
    modelColumn: 'Model',
    benchmarks: ['IFEval', 'BBH', 'MATH Lvl 5', 'GPQA', 'MUSR', 'MMLU-PRO'],
    missing: 'reject',
    family: 'Family',
    flops: 'FLOPs (1E21)',
    params: '#Params (B)',
    tokens: 'Pretraining Data Size (T)',
    status: 'Loaded 15 base models of six families of the Open LLM Leaderboard v2. ',
  },
  benchpress: {
    url: '/examples/benchpress_matrix.csv',
    fileName: 'benchpress_matrix.csv',
    modelColumn: 'model',
    // No `benchmarks`: every column but the model's is one.
    // Its PCA (#pca): three components of the standardized benchmarks (five
    // columns are Elo ratings or dollars), the gaps (77 % of the cells)
    // filled by the completion; iterative PCA does not converge on it.
    missing: 'complete',
    standardize: true,
    components: '3',
    family: '',
    flops: '',
    params: '',
    tokens: '',
    status: 'Loaded the BenchPress matrix: 84 frontier models × 133 benchmarks, 23 % of the scores published. ',
  },
};

// The shared options: the PCA and missing-score ones (step 3) and the
// family and compute columns (step 4, FLOPs as the compute).
function presetShared(example) {
  $('benchmark-prefix').value = '';
  $('n-components').value = example.components ?? '';
  $('standardize').checked = example.standardize ?? false;
  $('sign').value = 'positive_sum';
  $('missing').value = example.missing;
  $('imputation-rank').value = example.rank ?? '';
  $('imputation-bounds').value = example.bounds ?? '';
  $('imputation-max-iter').value = '';
  $('imputation-tol').value = '';
  $('missing').dispatchEvent(new Event('change'));
  $('family-column').value = example.family;
  refreshFamilies();
  $('compute-source').value = 'flops';
  $('compute-source').dispatchEvent(new Event('change'));
  $('flops-column').value = example.flops;
  $('params-column').value = example.params;
  $('tokens-column').value = example.tokens;
}

// Loads example `name` and presets every view in `views`; runs `current`
// (the view shown) when its preset says so. The benchmarks are the
// example's, or those of the current view's preset when it names them.
export async function loadExample(name, views, current) {
  const example = EXAMPLES[name];
  clearError();
  let text;
  try {
    const response = await fetch(example.url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    text = await response.text();
  } catch (err) {
    showError('The example could not be loaded', String(err.message || err));
    return;
  }
  $('delimiter').value = 'auto';
  try {
    const benchmarks = current.presets?.[name]?.benchmarks ?? example.benchmarks;
    await setCsv(text, example.fileName, { modelColumn: example.modelColumn, benchmarks }, 'wide');
    // An example without a list takes every numeric column, whatever an
    // earlier table left ticked.
    if (!benchmarks) $('select-all').click();
  } catch (err) {
    showError('The example could not be read', String(err.message || err));
    return;
  }
  presetShared(example);
  for (const view of views) view.preset(view.presets?.[name] ?? {});
  if (current.presets?.[name]?.autorun) {
    setStatus(example.status);
    await current.run();
    return;
  }
  const button = $(current.button).textContent;
  setStatus(`${example.status}Press ${button}.`);
}
