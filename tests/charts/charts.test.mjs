// Render check of the Vega-Lite specifications the API returns (run by
// scripts/charts-test.sh): every spec file in $SPECS_DIR (written by
// make_specs.py as {"spec", "expect"}) must compile with vega-lite without a
// warning, render headless to SVG with vega without a warning or an error,
// and draw the marks `expect` counts from the API's answer:
// `items` per mark type (points, bars, rules, the vertices of lines) and
// `marks` per mark type (e.g. one line per fitted family and component),
// and, with `max_bytes`, the spec's JSON must be no longer than that.
// A file's `data` fills named datasets first, as a client would.
//
//   SPECS_DIR=specs node --test charts.test.mjs
//
// With SVG_DIR set, each rendered SVG is written there as well.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

const SPECS_DIR = process.env.SPECS_DIR;
if (!SPECS_DIR) throw new Error('set SPECS_DIR to a folder of spec files (make_specs.py writes them)');
const SVG_DIR = process.env.SVG_DIR ? resolve(process.env.SVG_DIR) : null;

const files = (await readdir(SPECS_DIR)).filter((f) => f.endsWith('.json')).sort();

/** A logger that keeps what Vega-Lite or Vega warn about. */
function collecting() {
  const messages = [];
  const logger = vega.logger(vega.Warn);
  logger.warn = (...m) => { messages.push(`warn: ${m.join(' ')}`); return logger; };
  logger.error = (...m) => { messages.push(`error: ${m.join(' ')}`); return logger; };
  return { logger, messages };
}

/** Items and non-empty mark nodes per mark type, data marks only (not axes or legends). */
function census(root) {
  const items = {};
  const marks = {};
  const walk = (node) => {
    if (node.marktype && node.role === 'mark' && node.items.length > 0) {
      items[node.marktype] = (items[node.marktype] ?? 0) + node.items.length;
      marks[node.marktype] = (marks[node.marktype] ?? 0) + 1;
    }
    for (const child of node.items ?? []) walk(child);
  };
  walk(root);
  return { items, marks };
}

describe('chart specifications from the API', () => {
  it('found spec files', () => {
    // The API draws 4 charts for the law in 4 requests, 3 for PCA, 1 each
    // for compute-fit and select-families, 3 + 2 for the completion.
    assert.ok(files.length >= 18, `only ${files.length} spec files in ${SPECS_DIR}`);
  });

  for (const file of files) {
    it(`${file} compiles, renders and draws its marks`, async () => {
      const { spec, expect, data = {} } = JSON.parse(await readFile(join(SPECS_DIR, file), 'utf8'));
      assert.match(spec.$schema, /vega-lite\/v5/);
      if (expect.max_bytes !== undefined) {
        const bytes = Buffer.byteLength(JSON.stringify(spec));
        assert.ok(bytes <= expect.max_bytes, `the spec takes ${bytes} bytes, more than ${expect.max_bytes}`);
      }

      const compiling = collecting();
      const compiled = vegaLite.compile(spec, { logger: compiling.logger }).spec;
      assert.deepEqual(compiling.messages, [], 'Vega-Lite warnings');

      const rendering = collecting();
      const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: rendering.logger });
      // Named datasets a client fills (the scatter's placed models).
      for (const [name, values] of Object.entries(data)) view.data(name, values);
      await view.runAsync();
      const svg = await view.toSVG();
      assert.deepEqual(rendering.messages, [], 'Vega warnings or errors');
      assert.match(svg, /^<svg/);
      assert.doesNotMatch(svg, /\b(?:d|x|y|x1|x2|y1|y2|width|height|transform)="[^"]*NaN/,
        'no NaN coordinate in the SVG');
      assert.doesNotMatch(svg, /NaN|undefined/, 'no NaN or undefined in a label or tooltip');

      const { items, marks } = census(view.scenegraph().root);
      for (const [marktype, n] of Object.entries(expect.items ?? {})) {
        assert.equal(items[marktype] ?? 0, n, `${marktype} items (drawn: ${JSON.stringify(items)})`);
      }
      for (const [marktype, n] of Object.entries(expect.marks ?? {})) {
        assert.equal(marks[marktype] ?? 0, n, `${marktype} marks (drawn: ${JSON.stringify(marks)})`);
      }
      if (SVG_DIR) {
        await mkdir(SVG_DIR, { recursive: true });
        await writeFile(join(SVG_DIR, file.replace(/\.json$/, '.svg')), svg);
      }
      view.finalize();
    });
  }
});
