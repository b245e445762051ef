// #skills: a family's larger models by the skills law of Sloth. Two
// requests: the loaded table to /v1/scaling/skills (its charts, its
// observed scores and the fitted basis), then the basis with the typed
// sizes to /v1/scaling/predict, which predicts them with nothing refitted.
// The tables show what the answers hold.

import { drawChartSet } from '../charts.js';
import { $, element, fixed, outputOf, plural, simpleTable, smallButton, tablePanel, toolbar } from '../dom.js';
import { baseName, downloadCsv, downloadJson } from '../downloads.js';
import { setStatus } from '../messages.js';
import { fillSelect, onFamilies } from '../pickers.js';
import { UserError, postJson, tableParams } from '../requests.js';
import { runAnalysis } from '../run.js';
import { state } from '../state.js';
import { familyAndCompute } from './scaling.js';

// The typed sizes, one per line: `params (B), tokens (T)[, name]`; both
// numbers are required. A UserError names the first line that is not one.
function typedSizes(text, family) {
  const sizes = [];
  const names = new Set();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const where = `Line ${i + 1} (“${line}”)`;
    const parts = line.split(',').map((part) => part.trim());
    const [params, tokens] = parts.slice(0, 2).map((part) => (/^[-+0-9.eE]+$/.test(part ?? '') ? Number(part) : NaN));
    if (parts.length < 2 || !(params > 0) || !(tokens > 0) || !Number.isFinite(params) || !Number.isFinite(tokens)) {
      throw new UserError('A size cannot be read', `${where}: write the parameters in billions and the training tokens `
        + 'in trillions, two numbers above 0 separated by a comma, optionally followed by a name (e.g. “70, 2” or “70, 2, my-70b”).');
    }
    const name = parts.slice(2).join(',').trim() || `${family} ${parts[0]}B ${parts[1]}T`;
    if (names.has(name)) throw new UserError('A size is there twice', `${where}: the model “${name}” is already listed.`);
    names.add(name);
    sizes.push({ name, params, tokens });
  });
  if (sizes.length === 0) {
    throw new UserError('No sizes to predict', 'Type one size per line: parameters in billions, tokens in trillions (e.g. “70, 2”).');
  }
  return sizes;
}

// The skills request's query, and what the predict request needs.
function skillsRequest() {
  const params = tableParams();
  familyAndCompute(params, { familyRequired: true, compute: 'none' });
  const p = $('params-column').value;
  const d = $('tokens-column').value;
  if (!p || !d) {
    throw new UserError('The law needs parameters and tokens',
      'Pick the parameters column (in billions) and the training tokens column (in trillions).');
  }
  params.set('params_column', p);
  params.set('tokens_column', d);
  const floors = $('skills-floors').value.replace(/\s+/g, '');
  if (floors) params.set('floors', floors);
  const skills = $('skills-d').value.trim();
  if (skills) params.set('skills', skills);
  params.set('link', $('skills-link').value);
  params.set('return_basis', 'true');
  params.set('charts', 'true');
  const family = $('skills-family').value;
  if (!family) throw new UserError('No family', 'Pick the family whose larger models to predict.');
  return { params, family, sizes: typedSizes($('skills-sizes').value, family) };
}

function run() {
  let request;
  return runAnalysis({
    view: 'skills',
    endpoint: '/v1/scaling/skills',
    buildParams: () => {
      request = skillsRequest();
      return request.params;
    },
    button: $('run-skills'),
    busy: 'Fitting the skills law and predicting the typed sizes…',
    show: async (body) => {
      if (!body.basis) throw new Error('the service returned no basis');
      const { family, sizes } = request;
      const predicted = await postJson('/v1/scaling/predict', {
        basis: body.basis,
        models: sizes.map((s) => s.name),
        params: sizes.map((s) => s.params),
        tokens: sizes.map((s) => s.tokens),
        families: sizes.map(() => family),
      });
      await show(body, predicted, request);
    },
  }).then((ok) => {
    if (ok === false) outputOf('skills').hidden = true;
  });
}

// The output: a summary and downloads, the typed sizes' predictions, the
// family's models in the table (their observed scores and the law's fit),
// and the three charts.
async function show(body, predicted, { family, sizes }) {
  const out = outputOf('skills');
  out.replaceChildren();
  const benchmarks = predicted.benchmarks;
  const fitted = body.predictions.filter((p) => p.family === family && p.fitted).length;
  const summary = [
    `${plural(body.skills, 'skill')}${body.skills_default ? ' (default)' : ''}, ${body.link} link`,
    `fitted on ${body.predictions.filter((p) => p.fitted).length} models of ${body.families.length} families`,
    `training error ${fixed(body.training_error.mae_pp, 2)} pp`,
    `${family}: ${plural(fitted, 'scored model')}`,
    ...(body.dropped_models.length
      ? [`${body.dropped_models.length} model(s) without parameters, tokens or family left out`]
      : []),
  ].join(' · ');
  const csv = smallButton('skills-download-csv', 'Download predictions (CSV)', () => {
    downloadCsv(`${baseName()}_skills_predictions.csv`, [
      ['model', 'family', 'params_B', 'tokens_T', ...benchmarks],
      ...predicted.predictions.map((p, i) => [p.model, p.family, sizes[i].params, sizes[i].tokens, ...p.predicted]),
    ]);
  });
  const json = smallButton('skills-download-json', 'Download full result (JSON)', () => {
    downloadJson(`${baseName()}_skills.json`, { skills: body, predict: predicted });
  }, 'The skills answer (with its basis and charts) and the predict answer');
  const basis = smallButton('skills-download-basis', 'Download basis', () => {
    downloadJson(`${baseName()}_skills_basis.json`, body.basis);
  }, 'The fitted skills basis: POST it to /v1/scaling/predict with other sizes, nothing refitted');

  const columns = [{ label: 'Model' }, { label: 'Parameters (B)', num: true, format: String }, { label: 'Tokens (T)', num: true, format: String },
    ...benchmarks.map((b) => ({ label: b, num: true }))];
  const rows = predicted.predictions.map((p, i) => [p.model, sizes[i].params, sizes[i].tokens, ...p.predicted]);
  const predictions = tablePanel(`Predicted scores of ${family}`,
    'POST /v1/scaling/predict with the fitted basis: each typed size, in its family, with nothing refitted.',
    'skills-predictions', simpleTable(columns, rows));

  // `observed` has a row per prediction, in the same order.
  const known = [];
  body.predictions.forEach((p, i) => {
    if (p.family !== family) return;
    known.push([p.model, 'score', ...body.observed[i].scores.map((v) => v ?? undefined)]);
    known.push([p.model, 'law\'s fit', ...p.predicted]);
  });
  const table = tablePanel(`${family}'s models in the table`, 'Their scores, and what the law fitted to them.',
    'skills-observed', simpleTable([{ label: 'Model' }, { label: '' }, ...benchmarks.map((b) => ({ label: b, num: true }))], known));

  const grid = element('div', 'charts');
  out.append(toolbar(summary, csv, json, basis), predictions, table, grid);
  out.hidden = false;
  await drawChartSet(grid, body.charts ?? {}, 'skills');
  setStatus('skills', `${plural(sizes.length, 'size')} of ${family} predicted`
    + (state.table?.fileName ? ` from ${state.table.fileName}.` : '.'));
}

// The paper set's chance floors: four-way multiple choice, two-way
// Winograd schemas, and TruthfulQA's as Sloth's v1 protocol has it
// (tests/fixtures/sloth/protocol_v1.json); Llama-2's unreleased 34B and a
// 140B predicted from its 7B, 13B and 70B.
const PAPER = { floors: '0.25,0.25,0.25,0.5,0.31,0,0.5,0', family: 'Llama-2', sizes: '34, 2\n140, 2' };

export default {
  id: 'skills',
  name: 'A family\'s larger models',
  status: 'Load the skills example, or pick the family, parameters and tokens columns, a family and the sizes to predict, then press Predict.',
  button: 'run-skills',
  run,
  // The skills example's floors are the Sloth paper's chance floors
  // (tests/fixtures/sloth/protocol.json); Qwen2 has only its 0.5B model
  // there, and the view predicts its 1.5B, 7B and 72B, whose leaderboard
  // scores assets/examples/SOURCE.md gives for comparison.
  presets: {
    paper: PAPER,
    tasks: PAPER,
    skills: { floors: '0,0.2885,0,0.25,0.3433,0.1', family: 'qwen2', sizes: '1.5, 7\n7, 7\n72, 7', autorun: true },
  },
  preset({ floors = '', family = '', sizes = '' }) {
    $('skills-floors').value = floors;
    $('skills-d').value = '';
    $('skills-link').value = 'monotone';
    $('skills-family').value = family;
    $('skills-sizes').value = sizes;
  },
  init() {
    onFamilies((families) => {
      fillSelect($('skills-family'), families, { keep: $('skills-family').value, none: '(pick a family)' });
    });
  },
};
