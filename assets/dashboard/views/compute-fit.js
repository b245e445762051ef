// #compute-fit: within each family, each PC score against log10 compute
// (POST /v1/scaling/compute-fit).

import { $, plural } from '../dom.js';
import { sharedParams } from '../requests.js';
import { familyAndCompute, runScaling } from './scaling.js';

const scaling = {
  endpoint: '/v1/scaling/compute-fit',
  busy: 'Fitting each family\'s PC scores against compute…',
  params() {
    const params = sharedParams();
    familyAndCompute(params, { familyRequired: true, compute: 'required' });
    const size = $('min-family-size').value.trim();
    if (size) params.set('min_family_size', size);
    return params;
  },
  output: (b) => ({
    summary: Array.isArray(b.families)
      ? `${plural(b.families.length, 'family', 'families')} fitted, ${b.excluded_families?.length ?? 0} excluded` : '',
  }),
};

export default {
  id: 'compute-fit',
  name: 'Compute fit',
  status: 'Pick the family and compute columns, then fit the PCs against compute.',
  button: 'run-compute-fit',
  run: () => runScaling('compute-fit', scaling),
  // The family and compute columns are the examples' own (examples.js).
  presets: { tasks: { autorun: true } },
  preset() {
    $('min-family-size').value = '';
  },
};
