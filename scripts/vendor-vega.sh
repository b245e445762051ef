#!/usr/bin/env bash
# Vendors the dashboard's chart runtime into assets/vendor/: the minified
# browser builds (UMD) of vega, vega-lite, vega-embed and vega-interpreter
# from the npm registry, byte for byte, their licences, the licences of the
# packages bundled inside those builds (read from the builds' source maps),
# and SOURCE.md with every file's sha256. Run it to change a version; the
# service embeds whatever is in assets/vendor/ (src/api/dashboard.rs).
#
#   scripts/vendor-vega.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Vega-Lite 5 (the schema the API's specs name) with the newest vega-embed
# and Vega that support it; vega-interpreter 1.x is the one for Vega 5.
VEGA=5.33.1
VEGA_LITE=5.23.0
VEGA_EMBED=6.29.0
VEGA_INTERPRETER=1.2.1

out=assets/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && timeout 300 npm pack --silent "vega@$VEGA" "vega-lite@$VEGA_LITE" \
    "vega-embed@$VEGA_EMBED" "vega-interpreter@$VEGA_INTERPRETER" >/dev/null)
# The dependency tree, only to read the licences of what the builds bundle.
(cd "$work" && npm init -y >/dev/null && timeout 300 npm install --silent --no-audit --no-fund \
    --ignore-scripts "vega@$VEGA" "vega-lite@$VEGA_LITE" "vega-embed@$VEGA_EMBED" \
    "vega-interpreter@$VEGA_INTERPRETER")

rm -rf "$out"
mkdir -p "$out"
packages=("vega $VEGA" "vega-lite $VEGA_LITE" "vega-embed $VEGA_EMBED" "vega-interpreter $VEGA_INTERPRETER")
for entry in "${packages[@]}"; do
    read -r name version <<<"$entry"
    mkdir -p "$work/$name"
    tar xzf "$work/$name-$version.tgz" -C "$work/$name"
    cp "$work/$name/package/build/$name.min.js" "$out/"
    if [ -f "$work/$name/package/LICENSE" ]; then
        cp "$work/$name/package/LICENSE" "$out/LICENSE.$name.txt"
    else
        # vega and vega-interpreter come from the vega monorepo, whose
        # packages on npm mostly ship its LICENSE; these two do not.
        cp "$work/node_modules/vega-view/LICENSE" "$out/LICENSE.$name.txt"
    fi
done

# Packages bundled inside the builds, from their source maps (paths under
# node_modules/; the vega-* packages of the vega monorepo appear as ../../).
node - "$work" "$out/THIRD-PARTY-NOTICES.txt" <<'EOF'
const fs = require('fs');
const path = require('path');
const [work, target] = process.argv.slice(2);
const builds = ['vega', 'vega-lite', 'vega-embed', 'vega-interpreter'];
const bundled = new Map(); // package -> builds that contain it
for (const build of builds) {
  const map = JSON.parse(fs.readFileSync(path.join(work, build, 'package/build', `${build}.min.js.map`), 'utf8'));
  for (const source of map.sources) {
    const i = source.lastIndexOf('node_modules/');
    let name;
    if (i >= 0) {
      const parts = source.slice(i + 'node_modules/'.length).split('/');
      name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    } else {
      const m = source.match(/^(?:\.\.\/)+(vega-[a-z-]+)\/build\//);
      if (!m) continue; // the build's own sources
      name = m[1];
    }
    if (name === build) continue;
    if (!bundled.has(name)) bundled.set(name, new Set());
    bundled.get(name).add(build);
  }
}
const licenceFile = (dir) => fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
const groups = new Map(); // licence text -> [lines]
for (const name of [...bundled.keys()].sort()) {
  const dir = path.join(work, 'node_modules', name);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const file = licenceFile(dir);
  const text = fs.readFileSync(file ? path.join(dir, file)
    : path.join(work, 'node_modules/vega-view/LICENSE'), 'utf8').trim();
  const line = `${name} ${pkg.version} (${pkg.license}; in ${[...bundled.get(name)].map((b) => `${b}.min.js`).join(', ')})`;
  if (!groups.has(text)) groups.set(text, []);
  groups.get(text).push(line);
}
let body = 'Third-party packages bundled inside the vendored builds of vega, vega-lite,\n'
  + 'vega-embed and vega-interpreter (read from the builds\' source maps), with\n'
  + 'their licences. Versions are those the npm registry resolves for the vendored\n'
  + 'versions\' dependency ranges; the licence texts are the packages\' own (the\n'
  + 'vega monorepo packages without a LICENSE file carry the monorepo\'s).\n';
for (const [text, lines] of groups) {
  body += `\n${'='.repeat(78)}\n${lines.join('\n')}\n${'-'.repeat(78)}\n${text}\n`;
}
fs.writeFileSync(target, body);
EOF

{
    echo "# Vendored chart runtime"
    echo
    echo "The dashboard draws every chart from the Vega-Lite specifications the API returns, with these"
    echo "builds from the npm registry, copied byte for byte by \`scripts/vendor-vega.sh\` (run it to change a"
    echo "version) and compiled into the binary (\`src/api/dashboard.rs\`, served under \`/assets/vendor/\`)."
    echo "All four are BSD-3-Clause (University of Washington Interactive Data Lab). The npm packages of vega"
    echo "and vega-interpreter ship no LICENSE file; theirs is the vega monorepo's, as shipped by its other"
    echo "packages (vega-view). \`THIRD-PARTY-NOTICES.txt\` lists the packages bundled inside the builds (d3"
    echo "modules, vega-tooltip, ...) with their licences."
    echo
    echo "| package | version | file here (from the package's) | bytes | sha256 |"
    echo "|---|---|---|---|---|"
    for entry in "${packages[@]}"; do
        read -r name version <<<"$entry"
        f="$out/$name.min.js"
        echo "| \`$name\` | $version | \`$name.min.js\` (\`build/$name.min.js\`) | $(stat -c %s "$f") | \`$(sha256sum "$f" | cut -d' ' -f1)\` |"
    done
    echo
    echo "The page loads them in this order as classic scripts: \`vega.min.js\` (defines \`vega\`),"
    echo "\`vega-interpreter.min.js\` (adds \`vega.expressionInterpreter\`), \`vega-lite.min.js\`,"
    echo "\`vega-embed.min.js\` (defines \`vegaEmbed\`). Charts are embedded with \`ast: true\` and"
    echo "\`expr: vega.expressionInterpreter\`, so Vega evaluates expressions without \`eval\`/\`Function\`, and"
    echo "with \`defaultStyle: false\` and the tooltip's \`disableDefaultStyle\`, so nothing injects a"
    echo "\`<style>\` element: the page keeps its Content-Security-Policy without 'unsafe-eval' or"
    echo "'unsafe-inline'. The rules the page needs from those styles are in \`assets/dashboard/style.css\`."
} >"$out/SOURCE.md"

ls -l "$out"
