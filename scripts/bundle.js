#!/usr/bin/env node
// Bundles what the packaged extension runs, as the VS Code docs advise ("Bundling Extensions"):
// one CommonJS file per process, for Node.
//   dist/extension.js  the thin client (extension host); never the engine
//   dist/service.js    the background service, with the engine and one copy of transformers.js
//   dist/noteReaderWorker.js the service's worker thread that reads notes (notes/noteReaderWorker.ts);
//                      the engine starts it by path from its own folder, so it sits beside service.js
//   dist/THIRD_PARTY_LICENSES.txt  licence texts of every npm package inlined in the bundles
// Left out of the bundles, loaded from node_modules at run time: `vscode` (the host provides it)
// and the native module (onnxruntime-node with the onnxruntime-common it shares tensors with).
// transformers.js' image support (sharp, libvips) is replaced by a stub, and its
// inlined onnxruntime-web (browser/WASM backend; Node always takes onnxruntime-node) is cut out.
// The build fails if any of that stops being true (e.g. after a transformers.js upgrade).
// Usage: node scripts/bundle.js [--quiet] [--watch]
'use strict';
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const outDir = path.join(root, 'dist');
const quiet = process.argv.includes('--quiet');

/** Loaded from node_modules at run time; everything else is inlined. */
const EXTERNAL = ['vscode', 'onnxruntime-node', 'onnxruntime-common'];

/** Shipped beside the bundles in node_modules (see .vscodeignore); their licences are listed too. */
const SHIPPED_NODE_MODULES = ['onnxruntime-node', 'onnxruntime-common'];

const ENTRIES = [
  { name: 'extension', in: 'src/extension/extension.ts', transformers: 0 },
  { name: 'service', in: 'src/service/main.ts', transformers: 1 },
  { name: 'noteReaderWorker', in: 'src/engine/notes/noteReaderWorker.ts', transformers: 0 },
];

// transformers.node.cjs inlines all of onnxruntime-web (~160 KB that registers WASM/WebGPU
// backends at load). In Node it always picks onnxruntime-node (src/backends/onnx.js: IS_NODE_ENV),
// so the inlined copy is replaced by the empty namespace the browser branch would read.
const ORT_WEB_START = /^\/\/ [^\n]*\/onnxruntime-web\/dist\/ort[^\n]*\.mjs\n/m;
const ORT_WEB_END = /^\/\/ src\/backends\/utils\/cacheWasm\.js\n/m;
const stripOrtWeb = {
  name: 'strip-onnxruntime-web',
  setup(build) {
    build.onLoad({ filter: /[\\/]@huggingface[\\/]transformers[\\/]dist[\\/]transformers\.node\.cjs$/ }, async (args) => {
      const src = await fs.promises.readFile(args.path, 'utf8');
      const start = src.search(ORT_WEB_START);
      const endMatch = ORT_WEB_END.exec(src);
      const body = start >= 0 && endMatch && endMatch.index > start ? src.slice(start, endMatch.index) : '';
      if (!body.includes('var ort_webgpu_bundle_min_exports = {};')) {
        return { errors: [{ text: `onnxruntime-web is no longer inlined as expected in ${args.path}: update stripOrtWeb in scripts/bundle.js` }] };
      }
      const stub = '// onnxruntime-web cut out by scripts/bundle.js: Node runs on onnxruntime-node.\nvar ort_webgpu_bundle_min_exports = {};\n\n';
      return { contents: src.slice(0, start) + stub + src.slice(endMatch.index), loader: 'js' };
    });
  },
};

/**
 * Packages a prebuilt dist file inlined itself (transformers.node.cjs carries @huggingface/jinja
 * and @huggingface/tokenizers), named by esbuild's path comments `// …/.pnpm/@scope+name@1.2.3/…`.
 */
function inlinedPackages(text) {
  const dirs = new Map();
  for (const m of text.matchAll(/^\/\/ [^\n]*node_modules\/\.pnpm\/((?:@[^+/]+\+)?[^@/]+)@([^/_]+)/gm)) {
    const dir = `node_modules/${m[1].replace('+', '/')}`;
    // onnxruntime-web is cut out (stripOrtWeb); the rest ships inside the bundle.
    if (m[1] !== 'onnxruntime-web' && fs.existsSync(path.join(root, dir, 'package.json'))) dirs.set(dir, m[2]);
  }
  return dirs;
}

/** node_modules/<pkg>/… or node_modules/@scope/pkg/… → the package folder, else null. */
function packageDirOf(input) {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return m ? m[1] : null;
}

/** Engine modules the client may share: which files are notes (globs and .gitignore; no models, nothing native). */
const SHARED_WITH_CLIENT = new Set(['src/engine/notes/noteFiles.ts']);

function checkInputs(entry, inputs) {
  const problems = [];
  const transformers = inputs.filter((f) => /node_modules\/@huggingface\/transformers\/dist\//.test(f));
  if (transformers.length !== entry.transformers) problems.push(`${transformers.length} copies of transformers.js (${transformers.join(', ') || 'none'}), expected ${entry.transformers}`);
  for (const f of inputs) {
    if (/node_modules\/(sharp|@img|onnxruntime-web|onnxruntime-node|hnswlib-node)\//.test(f)) problems.push(`inlines ${f}`);
    if (entry.name === 'extension' && f.startsWith('src/engine/') && !SHARED_WITH_CLIENT.has(f)) problems.push(`the client inlines the engine (${f}): the extension host must stay thin`);
  }
  if (problems.length) throw new Error(`dist/${entry.name}.js: ${problems.join('; ')}`);
}

function licenceFile(dir) {
  const name = fs.readdirSync(path.join(root, dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  return name ? fs.readFileSync(path.join(root, dir, name), 'utf8').trim() : null;
}

/** packages: folder → the version inlined (when a prebuilt file says), else its package.json's. */
function writeLicences(packages) {
  const parts = ['Semantic Notes ships code from the npm packages below: inlined in dist/extension.js and', 'dist/service.js, or (native modules and their loaders) in node_modules/.', ''];
  for (const [dir, version] of [...packages].sort(([a], [b]) => a.localeCompare(b))) {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
    const text = licenceFile(dir);
    parts.push('='.repeat(78), `${pkg.name}@${version ?? pkg.version} — ${pkg.license ?? 'licence unstated'}`, '');
    parts.push(text ?? `(no licence file in the package; its package.json states ${pkg.license ?? 'none'})`, '');
  }
  fs.writeFileSync(path.join(outDir, 'THIRD_PARTY_LICENSES.txt'), parts.join('\n'));
}

function optionsFor(entry, plugins = []) {
  return {
    absWorkingDir: root,
    entryPoints: [entry.in],
    outfile: path.join(outDir, `${entry.name}.js`),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: EXTERNAL,
    alias: { sharp: './src/stubs/sharp.js' },
    plugins: [stripOrtWeb, ...plugins],
    // Not minified: stack traces in bug reports stay readable; zipped, it costs well under 1 MB.
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  };
}

/** --watch: rebuilds each bundle when its sources change (for a development host), checked as above. */
async function watch() {
  for (const entry of ENTRIES) {
    const report = {
      name: 'report',
      setup(build) {
        build.onEnd((result) => {
          if (result.errors.length) return;
          try {
            checkInputs(entry, Object.keys(result.metafile.inputs));
            console.log(`${new Date().toLocaleTimeString()} dist/${entry.name}.js rebuilt`);
          } catch (err) {
            console.error(err.message);
          }
        });
      },
    };
    const ctx = await esbuild.context(optionsFor(entry, [report]));
    await ctx.watch();
  }
  console.log('watching src/ for the bundles (Ctrl+C to stop)');
}

async function main() {
  fs.rmSync(outDir, { recursive: true, force: true });
  const packages = new Map();
  for (const entry of ENTRIES) {
    const result = await esbuild.build(optionsFor(entry));
    const inputs = Object.keys(result.metafile.inputs);
    checkInputs(entry, inputs);
    for (const f of inputs) {
      const dir = packageDirOf(f);
      if (!dir) continue;
      if (!packages.has(dir)) packages.set(dir, undefined);
      for (const [inner, version] of inlinedPackages(fs.readFileSync(path.join(root, f), 'utf8'))) packages.set(inner, version);
    }
    if (!quiet) {
      const bytes = fs.statSync(path.join(outDir, `${entry.name}.js`)).size;
      console.log(`dist/${entry.name}.js  ${(bytes / 1e6).toFixed(2)} MB from ${inputs.length} files`);
    }
  }
  for (const name of SHIPPED_NODE_MODULES) packages.set(`node_modules/${name}`, undefined);
  writeLicences(packages);
  if (process.argv.includes('--watch')) await watch();
}

main().catch((err) => {
  console.error(`bundle failed: ${err.message}`);
  process.exit(1);
});
